/**
 * The classification table of the OAuth 2.0 providers (`oauth2`, `oauth2_client_credentials`),
 * row by row, through the whole workflow: a worker process, the fake token endpoint over real HTTP,
 * and the client. Each case asserts the status the credential reaches, how many upstream calls the
 * fake saw, and that the token served meanwhile is still the last valid one.
 */
import type { TokenView } from '../../src/credential';
import { isHalflifeError } from '../../src/errors';
import type { FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { fastPolicy } from '../helpers/oauth2-credential';
import { uniqueId } from '../helpers/test-env';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { waitFor } from '../helpers/wait';

type Flavour = 'oauth2' | 'oauth2_client_credentials';

/** Retries one second apart at first, so the degraded state is easy to observe. */
const policy = { ...fastPolicy, retryInitialMs: 1000, retryMaxMs: 2000 };

/** How long "no further call" is watched for after a permanent failure (retries would come after 1 s). */
const quietWindowMs = 1500;

interface PermanentCase {
  row: string;
  inject(fake: FakeOAuth2Server): void;
  kind: (flavour: Flavour) => 'reauth' | 'configuration';
  code: string;
}

interface RetriedCase {
  row: string;
  /** Makes exactly the next request fail. */
  inject(fake: FakeOAuth2Server): void;
  kind: 'transient' | 'malformed';
  code: string;
  /** The least time between the failed call and its retry. */
  minGapMs: number;
  /** The most time between them (the row's delay must not be stretched). */
  maxGapMs: number;
}

const permanent: PermanentCase[] = [
  { row: 'error=invalid_grant', inject: (f) => f.rejectNextWith(1, 'invalid_grant'), kind: (p) => (p === 'oauth2' ? 'reauth' : 'configuration'), code: 'invalid_grant' },
  { row: 'error=invalid_client', inject: (f) => f.rejectNextWith(1, 'invalid_client'), kind: () => 'configuration', code: 'invalid_client' },
  { row: 'error=unauthorized_client', inject: (f) => f.rejectNextWith(1, 'unauthorized_client'), kind: () => 'configuration', code: 'unauthorized_client' },
  { row: 'error=<other>', inject: (f) => f.rejectNextWith(1, 'access_denied'), kind: () => 'configuration', code: 'access_denied' },
  { row: 'other HTTP status', inject: (f) => f.failNext(1, { status: 404 }), kind: () => 'configuration', code: 'http_404' },
];

const json = (body: Record<string, unknown>) => JSON.stringify(body);
const retried: RetriedCase[] = [
  { row: 'HTTP 5xx', inject: (f) => f.failNext(1, { status: 503 }), kind: 'transient', code: 'http_503', minGapMs: 900, maxGapMs: 2900 },
  { row: 'HTTP 429 + Retry-After', inject: (f) => f.failNext(1, { status: 429, retryAfter: '3' }), kind: 'transient', code: 'http_429', minGapMs: 2950, maxGapMs: 6000 },
  { row: 'error=server_error', inject: (f) => f.rejectNextWith(1, 'server_error'), kind: 'transient', code: 'server_error', minGapMs: 900, maxGapMs: 2900 },
  { row: 'non-JSON body', inject: (f) => f.respondNextWith(1, '<html><body>maintenance</body></html>', 200, 'text/html'), kind: 'malformed', code: 'invalid_json', minGapMs: 900, maxGapMs: 2900 },
  { row: 'body over 64 KiB', inject: (f) => f.respondNextWith(1, json({ access_token: 'at-huge', token_type: 'Bearer', expires_in: 60, padding: 'p'.repeat(70_000) })), kind: 'malformed', code: 'body_too_large', minGapMs: 900, maxGapMs: 2900 },
  { row: 'missing access_token', inject: (f) => f.respondNextWith(1, json({ token_type: 'Bearer', expires_in: 60 })), kind: 'malformed', code: 'missing_access_token', minGapMs: 900, maxGapMs: 2900 },
  { row: 'expires_in non-numeric', inject: (f) => f.respondNextWith(1, json({ access_token: 'at-x', token_type: 'Bearer', expires_in: 'soon' })), kind: 'malformed', code: 'invalid_expires_in', minGapMs: 900, maxGapMs: 2900 },
  { row: 'expires_in zero', inject: (f) => f.respondNextWith(1, json({ access_token: 'at-x', token_type: 'Bearer', expires_in: 0 })), kind: 'malformed', code: 'invalid_expires_in', minGapMs: 900, maxGapMs: 2900 },
  { row: 'expires_in negative', inject: (f) => f.respondNextWith(1, json({ access_token: 'at-x', token_type: 'Bearer', expires_in: -5 })), kind: 'malformed', code: 'invalid_expires_in', minGapMs: 900, maxGapMs: 2900 },
  { row: 'missing token_type', inject: (f) => f.respondNextWith(1, json({ access_token: 'at-x', expires_in: 60 })), kind: 'malformed', code: 'invalid_token_type', minGapMs: 900, maxGapMs: 2900 },
];

const flavours: Flavour[] = ['oauth2', 'oauth2_client_credentials'];

describe('classification rows through the workflow: OAuth 2.0', () => {
  const taskQueue = uniqueId('tq-class-oauth2');
  const stack = useOAuth2Stack(taskQueue, { expiresIn: 60 });

  /** Registers a credential of `flavour` with its own stack.client; its first token lives 60 s. */
  async function register(flavour: Flavour): Promise<{ id: string; clientId: string; token: TokenView }> {
    const clientId = uniqueId('client');
    const clientSecret = `secret-${uniqueId('s')}`;
    stack.fake.addClient(clientId, clientSecret);
    const id = uniqueId(`class-${flavour}`);
    const config = { tokenEndpoint: stack.fake.tokenEndpoint, clientId, clientSecret };
    const registration =
      flavour === 'oauth2'
        ? await stack.client.register({ id, provider: 'oauth2', config, grant: { refreshToken: stack.fake.issueRefreshToken(clientId) }, policy })
        : await stack.client.register({ id, provider: 'oauth2_client_credentials', config, policy });
    expect(stack.fake.callsFor(clientId)).toBe(1);
    return { id, clientId, token: registration.token };
  }

  const permanentCases = flavours.flatMap((flavour) => permanent.map((c) => [flavour, c.row, c] as const));
  it.each(permanentCases)('%s %s: reauth_required after exactly one call, last token still served', async (flavour, _row, c) => {
    const cred = await register(flavour);
    c.inject(stack.fake);
    const error = await stack.client.refresh(cred.id).catch((e: unknown) => e);
    expect(isHalflifeError(error, 'ReauthRequiredError')).toBe(true);
    const described = await stack.client.describe(cred.id);
    expect(described.status).toBe('reauth_required');
    expect(described.lastError).toMatchObject({ kind: c.kind(flavour), code: c.code });
    expect(stack.fake.callsFor(cred.clientId)).toBe(2);

    const served = await stack.client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(stack.fake.isValidAccessToken(served.accessToken)).toBe(true);

    // Watch for a retry that must not come (a retry would be due after retryInitialMs = 1 s).
    const watchUntil = Date.now() + quietWindowMs;
    await waitFor('the quiet window to pass without a retry', () => {
      if (stack.fake.callsFor(cred.clientId) !== 2) throw new Error(`unexpected retry: ${stack.fake.callsFor(cred.clientId)} calls`);
      return Date.now() >= watchUntil;
    }, { timeoutMs: quietWindowMs + 2000 });
    expect(stack.fake.callsFor(cred.clientId)).toBe(2);
    expect((await stack.client.describe(cred.id)).counts.upstreamCalls).toBe(2);
    await stack.client.revoke(cred.id);
  });

  const retriedCases = flavours.flatMap((flavour) => retried.map((c) => [flavour, c.row, c] as const));
  it.each(retriedCases)('%s %s: degraded, last token served, retried after the row delay, then active', async (flavour, _row, c) => {
    const cred = await register(flavour);
    c.inject(stack.fake);
    const refreshing = stack.client.refresh(cred.id);
    const degraded = await waitFor('the degraded status', async () => {
      const d = await stack.client.describe(cred.id);
      return d.status === 'degraded' ? d : undefined;
    }, { timeoutMs: 10_000, intervalMs: 25 });
    expect(degraded.lastError).toMatchObject({ kind: c.kind, code: c.code });
    const served = await stack.client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(stack.fake.isValidAccessToken(served.accessToken)).toBe(true);

    // The caller is answered after the failed attempt, with the still valid token; the retry follows on its own.
    const answered = await refreshing;
    expect(answered).toMatchObject({ refreshed: false, reason: 'upstream_failing', token: { accessToken: cred.token.accessToken, status: 'degraded' } });
    const outcome = { token: await waitFor('the retry to bring a new token', async () => {
      const t = await stack.client.getToken(cred.id);
      return t.accessToken !== cred.token.accessToken && t.status === 'active' ? t : undefined;
    }, { timeoutMs: 30_000, intervalMs: 25 }) };
    expect(stack.fake.isValidAccessToken(outcome.token.accessToken)).toBe(true);
    const times = stack.fake.callTimesFor(cred.clientId);
    expect(times).toHaveLength(3);
    const gap = times[2]! - times[1]!;
    expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    expect(gap).toBeLessThanOrEqual(c.maxGapMs);
    const recovered = await stack.client.describe(cred.id);
    expect(recovered.status).toBe('active');
    expect(recovered.counts.failures).toBe(1);
    expect(recovered.lastError).toBeUndefined();
    expect((await stack.client.getToken(cred.id)).accessToken).toBe(outcome.token.accessToken);
    await stack.client.revoke(cred.id);
  });
});
