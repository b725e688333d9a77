/**
 * The pieces every registration body of the HTTP API shares (provider bodies in `schemas.ts`,
 * preset bodies in `preset-bodies.ts`): the grant and held-token fields, the policy fields in
 * seconds, and a configuration field as the API takes it.
 */
import { z } from 'zod';
import type { RefreshPolicy } from '../credential';
import { policyBounds } from '../policy';
import { snakeCase, tokenString, type ConfigField } from '../providers/config-fields';

const token = tokenString();
const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });
const bounded = (b: { min: number; max: number; integer: boolean }, scale: number) => {
  const [min, max] = [b.min / scale, b.max / scale];
  const n = z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
  return b.integer && scale === 1 ? n.int('must be an integer') : n;
};

/** The policy fields the API accepts, with their descriptions; durations in seconds (`_s`). */
const apiPolicy = {
  refreshRatio: 'fraction of the lifetime after which a token is refreshed (default 0.5)',
  minRefreshIntervalMs: 'cooldown between upstream refreshes, seconds (default 10)',
  maxRefreshesPerDay: 'upstream refreshes allowed in any 24 hours (default 1000)',
  defaultLifetimeMs: 'lifetime assumed when the provider sends no expires_in, seconds (default 3600)',
} as const satisfies Partial<Record<keyof RefreshPolicy, string>>;
/** A policy field the API accepts. */
export type ApiPolicyField = keyof typeof apiPolicy;
/** The policy fields the API accepts, in order. */
export const apiPolicyFields = Object.keys(apiPolicy) as ApiPolicyField[];
/** 1000 for a duration field (the API takes seconds), else 1. */
export const scaleOf = (field: string): number => (field.endsWith('Ms') ? 1000 : 1);

/** The policy fields of a registration body, snake_case, durations in seconds. */
export const policyFields = Object.fromEntries(
  apiPolicyFields.map((f) => [snakeField(f), bounded(policyBounds[f], scaleOf(f)).optional().describe(apiPolicy[f])]),
);

/** A configuration field as the API body takes it: a default is documented, and filled only when the field says so. */
export function apiField(f: ConfigField): z.ZodType {
  if (f.schema instanceof z.ZodDefault && f.apiFillsDefault !== true) {
    return (f.schema.unwrap() as z.ZodType).optional().meta({ description: f.doc, default: f.schema.def.defaultValue });
  }
  return f.schema.meta({ description: f.doc });
}

/** The grant and held-token fields of a provider that uses a refresh token. */
export const grantFields = {
  refresh_token: token.describe('the refresh token'),
  access_token: token.optional().describe('a token you already hold (then expires_at is required)'),
  token_type: text(64).optional(),
  expires_at: instant.optional(),
};

/** The declared expiry of the configuration's secret, for providers whose configuration holds one. */
export const clientSecretFields = {
  client_secret_expires_at: instant.optional().describe('when the client secret dies (ISO 8601): `credential.client_secret_expiring` is sent 7 days before; a replacement without it declares none'),
};

/** A policy field's API name: snake_case, with durations in seconds (`minRefreshIntervalMs` → `min_refresh_interval_s`). */
export function snakeField(name: string): string {
  return name.endsWith('Ms') ? `${snakeCase(name.slice(0, -2))}_s` : snakeCase(name);
}
