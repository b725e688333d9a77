/**
 * The `/v1/credentials` routes: register or replace, read a token, refresh, reauthorize, describe,
 * list and revoke, each behind its scope (read: token, describe, list; refresh: refresh; admin:
 * register, reauthorize, revoke). Every answer is `Cache-Control: no-store`.
 *
 * PUT on an existing credential (same provider) replaces its provider configuration and grant and
 * refreshes at once with them (the `reauthorize` update); the version keeps counting and the
 * history stays. It does not change the provider (409 `provider_mismatch`: revoke first), does not
 * use a supplied `access_token` (a new token is fetched), and applies policy fields only when the
 * client offers `reconfigure`; whatever was not applied is listed in `ignored_fields`. With a
 * provider that rotates refresh tokens, replaying a PUT with a refresh token that has since been
 * rotated away is rejected by the provider and leaves the credential in `reauth_required`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CredentialDescription, TokenView } from '../credential';
import type { TokenClient } from '../client/token-client';
import { parseRegistration } from '../client/registration';
import { InvalidConfigError, isHalflifeError, ProviderMismatchError } from '../errors';
import type { ReauthorizeRequest, ReconfigureRequest } from '../messages';
import { requireKey } from './auth';
import type { ApiKeys } from './keys';
import type { ApiMetrics } from './metrics';
import { describeResponse, summaryResponse, tokenResponse } from './responses';
import {
  apiFieldName,
  credentialBodySchema,
  ignoredOnReplace,
  listQuerySchema,
  parseBody,
  parseParams,
  policyPatchOf,
  reauthorizeGrantSchema,
  refreshBodySchema,
  toRegisterInput,
  tokenQuerySchema,
  type CredentialBody,
} from './schemas';

/** The part of `TokenClient` the API uses (tests pass an in-memory stand-in). */
export type ApiTokenClient = Pick<TokenClient, 'register' | 'getToken' | 'refresh' | 'reauthorize' | 'describe' | 'revoke' | 'list'> & {
  /** Changes policy or settings of a running credential; when present, PUT-replace applies policy fields. */
  reconfigure?(id: string, request: ReconfigureRequest): Promise<CredentialDescription>;
};

/** Options of `credentialRoutes`. */
export interface CredentialRoutesOptions {
  tokenClient: ApiTokenClient;
  keys: ApiKeys;
  metrics: ApiMetrics;
}

type IdRoute = { Params: { id: string } };

/** Awaits a TokenClient call (or validation), renaming the fields its errors name to the API's (`config.clientId` → `client_id`). */
async function inApiTerms<T>(call: Promise<T> | (() => T)): Promise<T> {
  try {
    return await (typeof call === 'function' ? call() : call);
  } catch (err) {
    if (isHalflifeError<InvalidConfigError>(err, 'InvalidConfigError')) throw new InvalidConfigError(apiFieldName(err.field), err.reason);
    throw err;
  }
}

/** The new configuration and grant of a registration body, checked against the running credential's provider. */
async function replacementFor(client: ApiTokenClient, id: string, body: CredentialBody): Promise<ReauthorizeRequest> {
  const current = await client.describe(id);
  if (current.provider !== body.provider) throw new ProviderMismatchError(id, current.provider, body.provider);
  const spec = await inApiTerms(() => parseRegistration(toRegisterInput(id, body)));
  return { grant: spec.grant, config: spec.config, settings: spec.settings };
}

/** Registers the credential routes (mount at the root: paths are absolute). */
export const credentialRoutes: FastifyPluginAsync<CredentialRoutesOptions> = async (app: FastifyInstance, options) => {
  const { tokenClient: client, keys, metrics } = options;
  const served = (id: string, token: TokenView) => {
    metrics.observeTokenServed(id, token.expiresAt);
    return tokenResponse(token);
  };
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.put<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request, reply) => {
    const { id } = request.params;
    const body = parseBody(credentialBodySchema, request.body);
    const input = toRegisterInput(id, body);
    try {
      const registration = await inApiTerms(client.register(input));
      void reply.code(201).header('Location', `/v1/credentials/${id}`);
      return { id, provider: body.provider, created: true, token: served(id, registration.token) };
    } catch (err) {
      if (!isHalflifeError(err, 'CredentialExistsError')) throw err;
    }
    const token = await inApiTerms(client.reauthorize(id, await replacementFor(client, id, body)));
    const policy = policyPatchOf(body);
    if (policy && client.reconfigure) await inApiTerms(client.reconfigure(id, { policy }));
    const ignored = ignoredOnReplace(body, Boolean(client.reconfigure));
    return { id, provider: body.provider, created: false, token: served(id, token), ...(ignored.length ? { ignored_fields: ignored } : {}) };
  });

  app.get<IdRoute>('/v1/credentials/:id/token', { onRequest: requireKey(keys, 'read', 'credential') }, async (request) => {
    const { id } = request.params;
    const query = parseParams(tokenQuerySchema, request.query);
    const token = await inApiTerms(client.getToken(id, query.min_ttl_s === undefined ? {} : { minTtlMs: query.min_ttl_s * 1000 }));
    return served(id, token);
  });

  app.post<IdRoute>('/v1/credentials/:id/refresh', { onRequest: requireKey(keys, 'refresh', 'credential') }, async (request) => {
    const { id } = request.params;
    const body = parseBody(refreshBodySchema, request.body ?? {});
    const outcome = await inApiTerms(client.refresh(id, body.stale_version === undefined ? {} : { staleVersion: body.stale_version }));
    return { ...served(id, outcome.token), refreshed: outcome.refreshed, ...(outcome.reason ? { reason: outcome.reason } : {}) };
  });

  app.post<IdRoute>('/v1/credentials/:id/reauthorize', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request) => {
    const { id } = request.params;
    const raw = request.body ?? {};
    let reauthorization: ReauthorizeRequest;
    if (typeof raw === 'object' && raw !== null && 'provider' in raw) {
      reauthorization = await replacementFor(client, id, parseBody(credentialBodySchema, raw));
    } else {
      const body = parseBody(reauthorizeGrantSchema, raw);
      reauthorization = body.refresh_token === undefined ? {} : { grant: { refreshToken: body.refresh_token } };
    }
    return served(id, await inApiTerms(client.reauthorize(id, reauthorization)));
  });

  app.get<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'read', 'credential') }, async (request) =>
    describeResponse(await client.describe(request.params.id)),
  );

  app.get('/v1/credentials', { onRequest: requireKey(keys, 'read', 'scope-only') }, async (request) => {
    const filter = parseParams(listQuerySchema, request.query);
    const key = request.apiKey;
    const rows = await inApiTerms(client.list(filter as Parameters<ApiTokenClient['list']>[0]));
    return { credentials: rows.filter((row) => key !== undefined && keys.allows(key, 'read', row.id)).map(summaryResponse) };
  });

  app.delete<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request) => {
    const { id } = request.params;
    const description = await client.revoke(id, `revoked through the HTTP API by ${request.apiKey?.name ?? 'a key'}`);
    metrics.forgetCredential(id);
    return describeResponse(description);
  });
};
