/** Helpers of the provider unit tests: contexts, failure capture and secret checks. */
import type { ProviderName } from '../../../src/credential';
import type { ProviderError } from '../../../src/errors';
import { cappedFetch } from '../../../src/providers/http';
import type { ProviderContext, UpstreamFetch } from '../../../src/providers/provider';
import { getProvider } from '../../../src/providers/registry';
import { startLoopbackServer } from '../../../src/fakes/fake-http';

/** A provider context with a generous timeout; fields can be overridden. */
export function context(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return { fetch: (url, init) => cappedFetch(url.toString(), init), signal: AbortSignal.timeout(5_000), now: Date.now, defaultLifetimeMs: 3_600_000, ...overrides };
}

/** Awaits a call that must fail with a ProviderError and returns the error. */
export async function providerFailure(call: Promise<unknown>): Promise<ProviderError> {
  let outcome: unknown;
  try {
    await call;
    outcome = undefined;
  } catch (err) {
    outcome = err;
  }
  if (outcome === undefined) throw new Error('expected the call to fail, but it succeeded');
  expect((outcome as { name?: unknown }).name).toBe('ProviderError');
  return outcome as ProviderError;
}

/** Asserts that no secret occurs in the error's message, string form, stack or JSON. */
export function expectNoSecrets(err: Error, secrets: readonly string[]): void {
  const surfaces = [err.message, String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify({ ...err })];
  for (const secret of secrets) {
    for (const surface of surfaces) expect(surface).not.toContain(secret);
  }
}

/** Runs a provider through the registry (as the activity does): config parsed first. */
export function refreshWith(name: ProviderName, config: Record<string, unknown>, grant: { refreshToken?: string }, ctx: ProviderContext) {
  const provider = getProvider(name);
  return provider.refresh(provider.configSchema.parse(config) as Record<string, unknown>, grant, ctx);
}

/** A loopback URL where nothing listens any more (connections are refused). */
export async function deadUrl(): Promise<string> {
  const server = await startLoopbackServer(() => undefined);
  await server.close();
  return server.url;
}

/** Resolves once `probe` is true, polling every few milliseconds (no fixed sleeps). */
export async function until(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A clock the test moves by hand, shared by a fake and the provider context. */
export function manualClock(start = Date.UTC(2026, 2, 1, 2, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number): void {
      now += ms;
    },
  };
}

/** A `ProviderContext.fetch` that counts the requests it sends (through `cappedFetch`), optionally moving a clock first. */
export function countingFetch(options: { beforeSend?: () => void } = {}) {
  const urls: URL[] = [];
  const fetch: UpstreamFetch = (url, init) => {
    urls.push(url);
    options.beforeSend?.();
    return cappedFetch(url, init);
  };
  return { fetch, urls };
}

/**
 * A compact JWT with `claims`, shaped like a signed one (RS256 header, a dummy signature): an
 * id_token from the token endpoint is checked for its claims only, never its signature.
 */
export function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part(claims)}.${Buffer.from('not-checked').toString('base64url')}`;
}
