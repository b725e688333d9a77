/**
 * Shared wire handling of the WeChat and WeCom token APIs: JSON answers with HTTP 200, failures
 * reported as a nonzero `errcode`, tokens that may come back unchanged.
 */
import type { ProviderName, TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { scrubKnownSecrets } from '../secrets/scrub';
import { errcodeRow, rowDelayMs, type ClassificationRule } from './classification';
import { parseJsonObject, readTextCapped, shorten, transientStatusError, transportError, unexpectedStatusError, upstreamFetch } from './http';
import { lifetimeMs } from './lifetime';
import type { ProviderContext } from './provider';

/** The JSON object an errcode API answered, and the instant its request was sent. */
export interface ErrcodeAnswer {
  body: Record<string, unknown>;
  sentAt: number;
}

/** Sends the one request (through `ctx.fetch`) and returns the JSON object it answered, classifying transport and HTTP failures. */
export async function callErrcodeApi(url: URL, init: RequestInit, ctx: ProviderContext): Promise<ErrcodeAnswer> {
  let response: Response;
  let text: string;
  const sentAt = ctx.now();
  try {
    response = await upstreamFetch(ctx)(url, { ...init, signal: ctx.signal, redirect: 'manual' });
    text = await readTextCapped(response);
  } catch (err) {
    throw transportError(err, ctx.signal);
  }
  const transient = transientStatusError(response.status, response.headers, ctx.now());
  if (transient) throw transient;
  if (response.status !== 200) throw unexpectedStatusError(response.status);
  return { body: parseJsonObject(text, response.status), sentAt };
}

/** The errcode of an answer (0 when absent), or NaN when it is not an integer. */
function errcodeOf(body: Record<string, unknown>): number {
  const raw = body.errcode;
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) ? n : Number.NaN;
}

/**
 * Throws the classified ProviderError for an answer with a nonzero errcode (by the provider's
 * `rules`). The message holds the errcode and a shortened `errmsg`, with every secret scrubbed out.
 */
export function throwOnErrcode(provider: ProviderName, rules: readonly ClassificationRule[], body: Record<string, unknown>, now: number, secrets: readonly string[]): void {
  const errcode = errcodeOf(body);
  if (errcode === 0) return;
  if (Number.isNaN(errcode)) throw new ProviderError('malformed', 'invalid_errcode', `${provider} answered with a non-integer errcode`, { httpStatus: 200 });
  const row = errcodeRow(rules, errcode);
  const errmsg = typeof body.errmsg === 'string' ? `: ${shorten(scrubKnownSecrets(body.errmsg, secrets))}` : '';
  throw new ProviderError(row.kind, `errcode_${errcode}`, `${provider} token API answered errcode ${errcode}${errmsg}`, {
    httpStatus: 200,
    retryAfterMs: rowDelayMs(row, now),
    ...(row.parentToken ? { parentTokenRejected: true } : {}),
  });
}

/**
 * Builds the token set of a successful answer (`access_token`, or the `field` the API names it,
 * and `expires_in`), its lifetime counted from `sentAt`.
 */
export function tokenFromAnswer(answer: ErrcodeAnswer, ctx: ProviderContext, field = 'access_token'): TokenSet {
  const { body, sentAt } = answer;
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new ProviderError('malformed', 'missing_access_token', `token API answer has neither errcode nor ${field}`, { httpStatus: 200 });
  }
  return { accessToken: value, tokenType: 'Bearer', issuedAt: sentAt, expiresAt: sentAt + lifetimeMs(body.expires_in, ctx.defaultLifetimeMs) };
}

/**
 * Treats a repeated token as the same token: it keeps the `issuedAt` of the held one and the
 * earlier of the two expiries (a repeated answer never extends a token's life).
 */
export function keepRepeated(token: TokenSet, current: TokenSet | undefined): TokenSet {
  if (!current || current.accessToken !== token.accessToken) return token;
  return { ...token, issuedAt: current.issuedAt, expiresAt: Math.min(current.expiresAt, token.expiresAt) };
}

/** Runs `call`, scrubbing every secret from the message of any error it throws (defence in depth). */
export async function scrubbingErrors<T>(secrets: readonly string[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Error) err.message = scrubKnownSecrets(err.message, secrets);
    throw err;
  }
}
