/**
 * Small HTTP helpers shared by every provider: the size-capped upstream fetch and body reader,
 * safe JSON parsing, `Retry-After`, and status and transport classification.
 *
 * Messages built here contain status codes, error names and lengths only: never a body, a URL
 * or a header value, so no secret can leak through them.
 */
import { isEgressDeniedError } from '../egress/errors';
import { ProviderError } from '../errors';
import type { UpstreamFetch } from './provider';

/** Largest response body a provider reads (64 KiB); token answers are a few hundred bytes. */
export const maxBodyBytes = 64 * 1024;

/** Longest wait a `Retry-After` header can impose (one day); longer values are clamped. */
export const maxRetryAfterMs = 86_400_000;

/** The `body_too_large` error for a body past `limit` bytes. */
function tooLarge(limit: number, httpStatus: number): ProviderError {
  return new ProviderError('malformed', 'body_too_large', `response body exceeds ${limit} bytes`, { httpStatus });
}

/** Reads a response body, failing with `body_too_large` (malformed) past `limit` bytes. */
export async function readBodyCapped(response: Response, limit = maxBodyBytes): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(limit, response.status);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, response.status);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Reads a response body as UTF-8 text with the size cap of `readBodyCapped`. */
export async function readTextCapped(response: Response, limit = maxBodyBytes): Promise<string> {
  return new TextDecoder().decode(await readBodyCapped(response, limit));
}

/**
 * The plain upstream request: the global `fetch`, with the body read under the size cap and
 * handed back as an equivalent, fully buffered Response. It is the `ProviderContext.fetch` used
 * when none is given (provider unit tests) and the one the activity wraps.
 */
export async function cappedFetch(url: URL | string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const body = await readBodyCapped(response);
  const nullBody = [101, 204, 205, 304].includes(response.status);
  return new Response(nullBody ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The fetch a provider sends its one request with: `ctx.fetch`, else `cappedFetch`. */
export function upstreamFetch(ctx: { fetch?: UpstreamFetch }): UpstreamFetch {
  return ctx.fetch ?? cappedFetch;
}

/** Parses a body that must be a JSON object; anything else is `invalid_json` (malformed). */
export function parseJsonObject(text: string, httpStatus?: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProviderError('malformed', 'invalid_json', `response body is not JSON (${text.length} characters)`, { httpStatus });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProviderError('malformed', 'invalid_json', 'response body is JSON but not an object', { httpStatus });
  }
  return value as Record<string, unknown>;
}

/** Milliseconds a `Retry-After` value (delay-seconds or HTTP-date) asks for, clamped to a day; undefined if absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, maxRetryAfterMs);
  // An HTTP-date always names its month ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would take "-5".
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), maxRetryAfterMs);
}

/** True for statuses that mean "try again later": 408, 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The transient `http_<status>` error for 408/429/5xx (honouring Retry-After), else undefined. */
export function transientStatusError(status: number, headers: Headers, now: number): ProviderError | undefined {
  if (!isTransientStatus(status)) return undefined;
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
  const wait = retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
  return new ProviderError('transient', `http_${status}`, `token endpoint answered HTTP ${status}${wait}`, { httpStatus: status, retryAfterMs });
}

/**
 * The `http_<status>` configuration error for an answer that is neither success nor transient (a
 * wrong URL, a redirect, a CDN's 403, a maintenance 404). The workflow probes it again later.
 */
export function unexpectedStatusError(status: number): ProviderError {
  return new ProviderError('configuration', `http_${status}`, `token endpoint answered HTTP ${status}; check the endpoint URL`, { httpStatus: status });
}

/**
 * Classifies an error thrown while sending a request or reading its answer: an aborted signal is
 * `timeout` (or `aborted` when cancelled), a ProviderError passes through, anything else is
 * `network_error`. All are transient.
 */
export function transportError(err: unknown, signal: AbortSignal): ProviderError {
  if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ProviderError') return err as ProviderError;
  if (isEgressDeniedError(err)) {
    return new ProviderError('configuration', 'egress_denied', `the egress policy refused the connection (${err.rule}); see docs/security.md, "Egress"`);
  }
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const timedOut = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
    return timedOut
      ? new ProviderError('transient', 'timeout', 'token endpoint did not answer in time')
      : new ProviderError('transient', 'aborted', 'token endpoint call was cancelled');
  }
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const detail = typeof cause?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause.code) ? ` (${cause.code})` : '';
  return new ProviderError('transient', 'network_error', `could not reach the token endpoint${detail}`);
}

/** Shortens provider-supplied text for a message: one line, at most `max` characters. */
export function shorten(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
