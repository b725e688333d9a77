/**
 * Reading an HTTP 200 token endpoint answer by Halflife's own rules, from the raw JSON, so that a
 * 200 is never lost: an answer oauth4webapi rejected (an `id_token` whose claims do not match, a
 * content type, a `scope` list) is still used when its access token, lifetime and token type are
 * usable, with a `warning` naming what failed; an answer that cannot be used still hands back the
 * rotated refresh token it carried (`ProviderError.rotatedRefreshToken`), never dropping it.
 */
import type { TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { scrubKnownSecrets } from '../secrets/scrub';
import { shorten } from './http';
import { issuerRoundingMs, lifetimeMs } from './lifetime';
import type { ProviderResult, ProviderWarning } from './provider';
import { metadataOf } from './request-extras';

/** What reading an answer needs besides the answer. */
export interface AnswerContext {
  /** When the request was sent: the lifetime counts from here. */
  sentAt: number;
  defaultLifetimeMs: number;
  /** The refresh token that was sent (a repeated one is not a rotation); absent: the grant has none, and one in the answer is ignored. */
  sentRefreshToken?: string;
  /** Scope to report when the answer names none (configured, else the current token's). */
  fallbackScope?: string;
  /** Secrets to scrub from any text taken from the answer or the validator. */
  secrets: readonly (string | undefined)[];
  /** Answer fields kept as the token's metadata (the configuration's `metadataFields`). */
  metadataFields?: readonly string[];
  /** The token type to use whatever the answer says (a preset's `answers.tokenType`: Slack's `bot` and `user` tokens are Bearer tokens). */
  tokenType?: string;
}

const tokenTypes: Record<string, string> = { bearer: 'Bearer', dpop: 'DPoP' };

/** True for a plain JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * When the refresh token dies by the answer's `refresh_token_expires_in` (seconds, a number or a
 * numeric string, GitHub's `"15811200"`), counted from `sentAt`; undefined when absent or unusable
 * (an odd value never costs the answer).
 */
export function refreshTokenExpiry(value: unknown, sentAt: number): number | undefined {
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return sentAt + Math.round(seconds * 1000);
}

/** The granted scope: a string, or (leniently) a list of strings joined by spaces. */
function scopeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value.join(' ');
  return undefined;
}

/**
 * The result of a 200 answer `body`. Throws a malformed ProviderError (`missing_access_token`,
 * `invalid_expires_in`, `invalid_token_type`) carrying the rotated refresh token when the answer
 * cannot be used.
 */
export function readAnswer(body: Record<string, unknown>, ctx: AnswerContext): ProviderResult {
  const received = text(body.refresh_token);
  const rotated = ctx.sentRefreshToken !== undefined && received !== undefined && received !== ctx.sentRefreshToken ? received : undefined;
  const unusable = (code: string, message: string, cause?: unknown) =>
    new ProviderError('malformed', code, rotated !== undefined ? `${message} (it carried a new refresh token, kept)` : message, { httpStatus: 200, cause, rotatedRefreshToken: rotated });

  const accessToken = text(body.access_token);
  if (accessToken === undefined) throw unusable('missing_access_token', 'token endpoint answer has no access_token');
  let lifetime: number;
  try {
    lifetime = lifetimeMs(body.expires_in, ctx.defaultLifetimeMs);
    lifetime -= issuerRoundingMs(body.expires_in, lifetime);
  } catch (err) {
    throw unusable('invalid_expires_in', (err as Error).message, err);
  }
  const type = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : '';
  const tokenType = ctx.tokenType ?? (Object.hasOwn(tokenTypes, type) ? tokenTypes[type] : undefined);
  if (tokenType === undefined) throw unusable('invalid_token_type', 'token endpoint answer has a missing or unsupported token_type');

  const scope = scopeOf(body.scope) ?? ctx.fallbackScope;
  const metadata = metadataOf(body, ctx.metadataFields);
  const token: TokenSet = {
    accessToken,
    tokenType,
    issuedAt: ctx.sentAt,
    expiresAt: ctx.sentAt + lifetime,
    // No expires_in: the lifetime is assumed, and a consumer's early report of the token shortens it (learnLifetime).
    ...(body.expires_in === undefined || body.expires_in === null ? { assumedLifetime: true } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  };
  const refreshTokenExpiresAt = ctx.sentRefreshToken !== undefined ? refreshTokenExpiry(body.refresh_token_expires_in, ctx.sentAt) : undefined;
  return { token, ...(rotated !== undefined ? { refreshToken: rotated } : {}), ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}) };
}

/** The warning for an answer the validator (oauth4webapi) rejected but Halflife could use. */
export function validationWarning(err: unknown, secrets: readonly (string | undefined)[]): ProviderWarning {
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : 'unknown reason';
  const aboutIdToken = /\bJWT\b|ID Token|id_token/.test(message);
  const reason = shorten(scrubKnownSecrets(`${typeof code === 'string' ? `${code}: ` : ''}${message}`, secrets));
  return aboutIdToken
    ? { code: 'id_token_rejected', message: `the id_token in the answer failed validation (${reason}); the access token was used` }
    : { code: 'answer_not_conform', message: `the token endpoint answer failed validation (${reason}); it was used anyway` };
}
