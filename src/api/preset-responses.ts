/**
 * The presets as the HTTP API (`GET /v1/presets`) and `halflife presets --json` show them: what a
 * user needs to register with one (its placeholders under their body field names, the endpoints)
 * and to know what to expect (rotation, lifetimes in seconds, quirks, error rows), with the pages
 * the facts came from.
 */
import { z } from 'zod';
import { snakeCase } from '../providers/config-fields';
import type { Preset } from '../providers/presets';

/** A preset URL with its placeholders under their body field names: `{authServer}` → `{auth_server}`. */
export function bodyPlaceholders(url: string | undefined): string | undefined {
  return url?.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_whole, name: string) => `{${snakeCase(name)}}`);
}

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** One preset in an answer. */
export const presetResponseSchema = z.object({
  name: z.string().describe('the value of `preset` in a registration'),
  title: z.string(),
  provider: z.string().describe('the provider a registration by this preset uses'),
  token_endpoint: z.string().optional().describe('may contain {placeholders}, filled from the body fields of the same name'),
  issuer: z.string().optional(),
  authorization_endpoint: z.string().optional(),
  device_authorization_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  placeholders: z.array(z.object({ field: z.string().describe('the registration body field'), description: z.string(), example: z.string() })),
  client_auth: z.string(),
  pkce: z.string().optional(),
  scopes: z.array(z.string()).describe('scopes to ask for when the refresh token is first obtained'),
  authorization_params: z.record(z.string(), z.string()),
  refresh_tokens: z.object({
    issued: z.string(),
    rotates: z.string(),
    reuse_grace_s: z.number().optional(),
    absolute_lifetime_s: z.number().optional(),
    idle_lifetime_s: z.number().optional(),
  }),
  access_token_lifetime_s: z.number().optional().describe('assumed when an answer has no expires_in'),
  expires_in_missing: z.boolean(),
  same_token_window_s: z.number().optional(),
  refuses_early_refresh_s: z.number().optional(),
  quirks: z.array(z.string()),
  errors: z.array(z.object({ match: z.string(), kind: z.string(), note: z.string() })),
  documentation: z.string().describe('the first page the facts came from'),
  sources: z.array(z.string()).describe('every page the facts came from'),
});

/** Answer of `GET /v1/presets`. */
export const presetListResponseSchema = z.object({ presets: z.array(presetResponseSchema) });

/** A preset as the API shows it (fields without a value left out). */
export function presetResponse(p: Preset): z.infer<typeof presetResponseSchema> {
  const sources = [...new Set(p.facts.map((f) => f.source))];
  const r = p.refreshTokens;
  const shown = {
    name: p.name,
    title: p.title,
    provider: p.provider,
    token_endpoint: bodyPlaceholders(p.tokenEndpoint),
    issuer: bodyPlaceholders(p.issuer),
    authorization_endpoint: bodyPlaceholders(p.authorizationEndpoint),
    device_authorization_endpoint: bodyPlaceholders(p.deviceAuthorizationEndpoint),
    revocation_endpoint: bodyPlaceholders(p.revocationEndpoint),
    placeholders: (p.placeholders ?? []).map((ph) => ({ field: snakeCase(ph.name), description: ph.description, example: ph.example })),
    client_auth: p.clientAuth,
    pkce: p.pkce,
    scopes: p.defaultScopes ?? [],
    authorization_params: Object.fromEntries(Object.entries(p.authorizationParams ?? {}).map(([k, v]) => [k, bodyPlaceholders(v) as string])),
    refresh_tokens: definedOnly({ issued: r.issued, rotates: r.rotates, reuse_grace_s: seconds(r.reuseGraceMs), absolute_lifetime_s: seconds(r.absoluteLifetimeMs), idle_lifetime_s: seconds(r.idleLifetimeMs) }),
    access_token_lifetime_s: seconds(p.accessTokenLifetimeMs),
    expires_in_missing: p.expiresInMissing === true,
    same_token_window_s: seconds(p.sameTokenWindowMs),
    refuses_early_refresh_s: seconds(p.refusesEarlyRefreshMs),
    quirks: p.quirks ?? [],
    errors: (p.errors ?? []).map((e) => ({ match: e.match, kind: e.kind, note: e.note })),
    documentation: sources[0] ?? '',
    sources,
  };
  return definedOnly(shown) as z.infer<typeof presetResponseSchema>;
}

function definedOnly<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
