/**
 * Condition waiting for tests: poll with a deadline, never a bare sleep.
 *
 * A probe answers "not yet" by returning a falsy value, or by throwing an error that `isNotYet`
 * classifies as transient (a connection refused or reset, a server that is not up yet) or that
 * the caller's `retryOn` accepts. Any other error, and every failed `expect`, ends the wait at
 * once: an assertion inside a probe is never retried away.
 */

/** Options of `waitFor`. */
export interface WaitOptions {
  /** @default 30_000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
  /** Errors that also mean "not yet" for this wait (besides the transient ones of `isNotYet`). */
  retryOn?: (err: unknown) => boolean;
}

const transientCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** True for jest's `expect` failures (they carry a `matcherResult`). */
export function isAssertionError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ('matcherResult' in err || (err as Error).name === 'JestAssertionError');
}

/**
 * True for errors that mean "the other side is not reachable yet": a socket refused, reset or timed
 * out (also as the `cause` of a fetch failure), a gRPC UNAVAILABLE, Redis not connected.
 */
export function isNotYet(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isAssertionError(e)) return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && transientCodes.has(code)) return true;
    if (code === 14) return true; // gRPC UNAVAILABLE
    if (typeof message === 'string' && /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(message)) return true;
  }
  return false;
}

/** Polls `probe` until it returns a truthy value (returned) or the deadline passes (throws with `what`). */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, { timeoutMs = 30_000, intervalMs = 50, retryOn }: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      if (isAssertionError(err) || !(isNotYet(err) || retryOn?.(err))) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/**
 * Checks that `holds` stays true for the whole of `windowMs` ("nothing happened"): polled every
 * `intervalMs`, and the first false (or throw) fails at once with `what`. Pair every use with a
 * control that shows the same window and probe do see the event when it happens.
 */
export async function holdsFor(what: string, holds: () => boolean | Promise<boolean>, windowMs: number, { intervalMs = 50 }: { intervalMs?: number } = {}): Promise<void> {
  const start = Date.now();
  const end = start + windowMs;
  for (;;) {
    if (!(await holds())) throw new Error(`${what} stopped holding after ${Date.now() - start} ms of ${windowMs} ms`);
    if (Date.now() >= end) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, end - Date.now()))));
  }
}
