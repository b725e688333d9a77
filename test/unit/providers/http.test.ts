/** The shared HTTP helpers: Retry-After, expires_in, the body cap on streamed bodies, scrubbing. */
import { maxBodyBytes, parseRetryAfter, readBodyCapped, shorten, transientStatusError, transportError } from '../../../src/providers/http';
import { lifetimeMs, maxLifetimeMs } from '../../../src/providers/lifetime';
import { scrubKnownSecrets as scrubSecrets } from '../../../src/secrets/scrub';
import { providerFailure } from './kit';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

function streamed(chunks: number, chunkSize: number): Response {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent += 1;
      controller.enqueue(new Uint8Array(chunkSize).fill(120));
    },
  });
  return new Response(body, { status: 200 });
}

describe('parseRetryAfter', () => {
  test.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    [new Date(now + 90_000).toUTCString(), 90_000],
    [new Date(now - 90_000).toUTCString(), 0],
    ['9999999', 86_400_000],
  ])('%s → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  test.each([[null], [undefined], ['soon'], ['-5'], ['1.5']])('%s → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('lifetimeMs', () => {
  test('absent means the default lifetime', () => {
    expect(lifetimeMs(undefined, 42_000)).toBe(42_000);
    expect(lifetimeMs(null, 42_000)).toBe(42_000);
  });
  test('numbers and numeric strings are seconds; huge values are clamped', () => {
    expect(lifetimeMs(3600, 1)).toBe(3_600_000);
    expect(lifetimeMs('7200', 1)).toBe(7_200_000);
    expect(lifetimeMs(2_147_483_647, 1)).toBe(maxLifetimeMs);
  });
  test.each([[0], [-5], ['soon'], [Number.NaN], [Number.POSITIVE_INFINITY], [true], [{}]])('%p is invalid_expires_in', async (value) => {
    const err = await providerFailure(Promise.resolve().then(() => lifetimeMs(value, 1)));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'malformed', code: 'invalid_expires_in' });
  });
});

describe('readBodyCapped', () => {
  test('reads a streamed body (no Content-Length) up to the cap', async () => {
    expect((await readBodyCapped(streamed(4, 1024))).byteLength).toBe(4096);
  });
  test('stops a streamed body past the cap with body_too_large', async () => {
    const err = await providerFailure(readBodyCapped(streamed(100, 1024)));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'malformed', code: 'body_too_large' });
    expect(maxBodyBytes).toBe(65_536);
  });
});

describe('status and transport classification', () => {
  test('408, 429 and 5xx are transient with their Retry-After; others are not', () => {
    const headers = new Headers({ 'retry-after': '3' });
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      expect(transientStatusError(status, headers, now)).toMatchObject({ kind: 'transient', code: `http_${status}`, retryAfterMs: 3_000, httpStatus: status });
    }
    for (const status of [200, 301, 400, 401, 403, 404]) expect(transientStatusError(status, headers, now)).toBeUndefined();
  });
  test('an aborted signal is a timeout or a cancellation; anything else a network error', () => {
    expect(transportError(new Error('x'), AbortSignal.abort(new DOMException('t', 'TimeoutError'))).code).toBe('timeout');
    expect(transportError(new Error('x'), AbortSignal.abort()).code).toBe('aborted');
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(transportError(refused, new AbortController().signal)).toMatchObject({ kind: 'transient', code: 'network_error', message: 'could not reach the token endpoint (ECONNREFUSED)' });
  });
});

describe('scrubbing', () => {
  test('removes every occurrence of every secret of 6+ characters (minScrubLength)', () => {
    expect(scrubSecrets('a s3cr3t and s3cr3t, abc', ['s3cr3t', 'abc', undefined])).toBe('a [redacted] and [redacted], abc');
  });
  test('shorten keeps one line of at most 120 characters', () => {
    expect(shorten(`line one\nline two ${'x'.repeat(200)}`)).toHaveLength(120);
    expect(shorten('a\n b')).toBe('a b');
  });
});
