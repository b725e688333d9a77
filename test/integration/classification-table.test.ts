/**
 * Every row of every provider's classification table (docs/providers.md), provoked through the
 * whole workflow: a worker process, the provider's fake over real HTTP, and the client. Each
 * case checks the literal expectation of test/helpers/classification-expectations.ts (never the
 * implementation's own table): the kind and code of the last error, the status reached, the
 * token still served, and how the workflow retries: the instant it schedules, that the retry
 * comes (backoff rows) or that no call comes (rows that must not be retried soon). WeChat rows
 * run against both `/cgi-bin/token` and `/cgi-bin/stable_token`.
 *
 * Policy: retries 1 s apart (`retryInitialMs` = `retryMaxMs` = 1000) so a degraded state lasts
 * long enough to be read, and a wrongful retry at the longest backoff falls inside the 1.5 s quiet
 * window; the backoff rows are the window's control (their retry is seen inside the same window).
 * `upstreamTimeoutMs` 2 s so the timeout row takes 2 s, not 15.
 */
import type { CredentialDescription, TokenView } from '../../src/credential';
import { parseRegistration } from '../../src/client/registration';
import { credentialWorkflowId } from '../../src/messages';
import { answerWaitTimeouts } from '../../src/activities/refresh-credential';
import { classificationRows } from '../../src/providers/catalog';
import { credentialWorkflow } from '../../src/workflows/credential-workflow';
import { expectedRows, type ExpectedRow } from '../helpers/classification-expectations';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { holdsFor, waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { deadUrl } from '../unit/providers/kit';
import { startFakes, targetFor, type Fakes, type Target } from '../unit/providers/targets';

/** Rows whose failure happens before any request reaches the fake. */
const reachesFake = (row: ExpectedRow) => row.match !== 'network error' && row.match !== 'no token endpoint';

const policy = { retryInitialMs: 1000, retryMaxMs: 1000, upstreamTimeoutMs: 2000 };
const quietMs = policy.retryMaxMs + 500;

/** The next midnight in China time (UTC+8) after `at`, plus two minutes: the documented 45009 retry. */
function nextChinaMidnightPlus2Min(at: number): number {
  const eightHours = 8 * 3_600_000;
  const day = 86_400_000;
  return Math.floor((at + eightHours) / day) * day + day - eightHours + 120_000;
}

describe('the implementation lists exactly the documented rows', () => {
  const key = (r: { provider: string; match: string }) => `${r.provider} | ${r.match}`;
  it('every implementation row has a literal expectation, and every expectation an implementation row', () => {
    expect(classificationRows.map(key).sort()).toEqual(expectedRows.map(key).sort());
  });
  it('each row has the documented kind', () => {
    const kinds = new Map(expectedRows.map((r) => [key(r), r.kind]));
    for (const row of classificationRows) expect({ row: key(row), kind: row.kind }).toEqual({ row: key(row), kind: kinds.get(key(row)) });
  });
});

describe('every classification row through the workflow', () => {
  const taskQueue = uniqueId('tq-class');
  let fakes: Fakes;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const registered: string[] = [];

  beforeAll(async () => {
    [fakes, worker, client] = await Promise.all([startFakes(), startWorkerProcess(taskQueue), openTokenClient(taskQueue)]);
  });
  afterEach(async () => {
    for (const id of registered.splice(0)) await client.revoke(id).catch(() => undefined);
  });
  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await fakes?.close();
  });

  const describeOf = (id: string) => client.describe(id);

  /** The id of the parent registered for a derived credential `id`. */
  const parentOf = (id: string) => `${id}-parent`;

  /** Registers a credential on `target` (a derived one after its parent); returns its first token. */
  async function register(id: string, row: ExpectedRow, target: Target): Promise<TokenView> {
    if (target.parent) {
      await client.register({ id: parentOf(id), provider: target.parent.provider, config: target.parent.config, ...(target.parent.grant ? { grant: target.parent.grant } : {}), policy } as never);
      registered.push(parentOf(id));
    }
    const parent = target.parent ? { parent: parentOf(id) } : {};
    const reg = await client.register({ id, provider: row.provider, config: target.config(), grant: target.grant(), policy, ...parent } as never);
    registered.unshift(id);
    return reg.token;
  }

  /** The configuration `target` would register with `overrides`, validated as the client validates it. */
  function validatedConfig(id: string, row: ExpectedRow, target: Target, overrides: Record<string, unknown>): Record<string, unknown> {
    return parseRegistration({ id, provider: row.provider, config: target.config(overrides), grant: { refreshToken: 'rt-unused-0123456789' } } as never).config;
  }

  /** Prepares the fake (or the configuration) so the next call meets `row`. */
  async function provoke(id: string, row: ExpectedRow, target: Target): Promise<void> {
    const m = row.match;
    if (m.startsWith('error=')) return target.oauthError?.(m === 'error=<other>' ? 'access_denied' : m.slice('error='.length));
    if (m.startsWith('errcode=')) {
      const n = m === 'errcode=<other>' ? 99_999 : Number(m.slice('errcode='.length));
      // The parent's token refused: the attempt refreshes the parent and retries once; both must fail to see the row.
      for (let i = 0; i < (row.parentToken ? 2 : 1); i++) target.errcode?.(n);
      return;
    }
    const bigBody = JSON.stringify({ access_token: 'at-huge', token_type: 'Bearer', expires_in: 60, padding: 'p'.repeat(70_000) });
    switch (m) {
      case 'HTTP 408':
        return target.http(408, String(row.retryAfterS));
      case 'HTTP 429':
        return target.http(429, String(row.retryAfterS));
      case 'HTTP 5xx':
        return target.http(503, String(row.retryAfterS));
      case 'other HTTP status':
        return target.http(target.otherStatus ?? 404);
      case 'HTTP 401':
      case 'HTTP 403':
      case 'HTTP 404':
      case 'HTTP 422':
        return target.http(Number(m.slice('HTTP '.length)));
      case 'HTTP 403, rate limited':
        return target.http(403, String(row.retryAfterS));
      case 'timeout':
      case 'cancelled':
        return target.hang();
      case 'non-JSON body':
        return target.raw('<html><body>maintenance</body></html>', 200, 'text/html');
      case 'body over 64 KiB':
        return target.raw(bigBody);
      case 'missing access_token':
      case 'missing ticket':
      case 'missing token':
        return target.raw(target.bodies.missingAccessToken);
      case 'invalid expires_in':
      case 'invalid expires_at':
        return target.raw(target.bodies.invalidExpiresIn);
      case 'missing or unsupported token_type':
        return target.raw(target.bodies.missingTokenType ?? '');
      case 'network error':
        if (target.parent) {
          // A derived credential calls its parent's base URL.
          const spec = parseRegistration({ id: parentOf(id), provider: target.parent.provider, config: { ...target.parent.config, baseUrl: await deadUrl() } } as never);
          await client.reconfigure(parentOf(id), { config: spec.config, settings: spec.settings });
          return;
        }
        await client.reconfigure(id, { config: validatedConfig(id, row, target, target.endpointOverride(await deadUrl())) });
        return;
      case 'no token endpoint':
        await client.reconfigure(id, { config: validatedConfig(id, row, target, { tokenEndpoint: undefined, issuer: 'https://issuer.example.com/oauth2' }) });
        return;
      default:
        throw new Error(`no provocation for row "${m}": add one to this test`);
    }
  }

  /** Checks the retry the workflow scheduled (read while the failure is current) and what follows. */
  async function checkRetry(id: string, row: ExpectedRow, target: Target, failed: CredentialDescription, callsBefore: number): Promise<void> {
    const at = failed.lastError?.at ?? 0;
    const retry = row.retry;
    const calls = () => target.calls() - callsBefore;
    const perAttempt = row.parentToken ? 2 : 1;
    const first = reachesFake(row) ? perAttempt : 0;
    if (retry.kind === 'none' || retry.kind === 'reprobe') {
      // No round left; a re-probe an hour later exactly when the row says so.
      expect({ refresh: failed.refresh, reprobeInMs: failed.reprobeAt === undefined ? undefined : failed.reprobeAt - at }).toEqual({ refresh: undefined, reprobeInMs: retry.kind === 'reprobe' ? 3_600_000 : undefined });
      await holdsFor('no further call after a row that is not retried', () => calls() === first, quietMs);
      return;
    }
    const next = failed.refresh?.nextAttemptAt ?? 0;
    if (retry.kind === 'midnight') {
      expect(Math.abs(next - nextChinaMidnightPlus2Min(at))).toBeLessThan(1000);
      await holdsFor('no call before the next day', () => calls() === first, quietMs);
      return;
    }
    if (retry.kind === 'after' && retry.ms > 5000) {
      expect(next - at).toBeGreaterThanOrEqual(retry.ms);
      await holdsFor(`no call sooner than ${retry.ms} ms`, () => calls() === first, quietMs);
      return;
    }
    // Backoff: the first retry after retryInitialMs less at most 20 % jitter; a row delay: at least that long, not much more.
    const [least, most] = retry.kind === 'after' ? [retry.ms, retry.ms + policy.retryMaxMs] : [0.8 * policy.retryInitialMs, policy.retryMaxMs];
    expect(next - at).toBeGreaterThanOrEqual(least);
    expect(next - at).toBeLessThanOrEqual(most);
    // The retry comes, inside the window the other rows watch for a wrongful one (the window's control).
    const waitMs = Math.max(0, next - Date.now()) + quietMs + policy.upstreamTimeoutMs;
    if (row.match === 'network error') {
      // Nothing listens there still: the retry fails the same way.
      const again = await waitFor('the retry, failing again', async () => ((await describeOf(id)).counts.failures >= 2 ? describeOf(id) : undefined), { timeoutMs: waitMs });
      expect(again).toMatchObject({ status: 'degraded', lastError: { kind: row.kind, code: row.code } });
      return;
    }
    const recovered = await waitFor('the retry and recovery', async () => {
      const d = await describeOf(id);
      return d.status === 'active' ? d : undefined;
    }, { timeoutMs: waitMs, intervalMs: 25 });
    expect(calls()).toBe(perAttempt + 1);
    expect(recovered.lastError).toBeUndefined();
    expect(recovered.counts.failures).toBe(1);
  }

  const cases: [string, string, ExpectedRow, boolean][] = expectedRows.flatMap((row): [string, string, ExpectedRow, boolean][] =>
    row.provider === 'wechat' ? [['wechat', row.match, row, false], ['wechat stable', row.match, row, true]] : [[row.provider, row.match, row, false]],
  );

  it.each(cases)('%s %s', (_label, _match, row, stable) => checkRow(row, stable));

  async function checkRow(row: ExpectedRow, stable: boolean): Promise<void> {
    const target = targetFor(row.provider, fakes, { stable });
    const id = uniqueId('row');

    if (row.match === 'grant without refresh token' || row.match === 'no ticket yet') {
      // The client refuses such a registration (or, for a platform before its first push, answers
      // reauth_required); a workflow started with it (an older client, a hand-made start) meets the row.
      if (target.parent) {
        await client.register({ id: parentOf(id), provider: target.parent.provider, config: target.parent.config, ...(target.parent.grant ? { grant: target.parent.grant } : {}), policy } as never);
        registered.push(parentOf(id));
      }
      const parent = target.parent ? { parent: parentOf(id) } : {};
      const spec = parseRegistration({ id, provider: row.provider, config: target.config(), grant: { refreshToken: 'rt-unused-0123456789' }, policy, ...parent } as never);
      await client.temporal.workflow.start(credentialWorkflow, { workflowId: credentialWorkflowId(id), taskQueue, args: [{ spec: { ...spec, grant: {} } }] });
      registered.push(id);
      const failed = await waitFor('the first attempt to fail', async () => {
        const d = await describeOf(id);
        return d.lastError ? d : undefined;
      });
      expect(failed).toMatchObject({ status: row.status, lastError: { kind: row.kind, code: row.code } });
      expect(target.calls()).toBe(0); // refused before any request
      expect(failed.refresh).toBeUndefined();
      expect(failed.reprobeAt).toBeUndefined();
      return;
    }

    const first = await register(id, row, target);
    await provoke(id, row, target);
    const before = target.calls();
    // A consumer reports the current token refused: the first report of a version is honoured at once.
    const answer = client.refresh(id, { staleVersion: first.version }).then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    );

    if (row.retry.kind === 'abandoned') {
      await waitFor('the call to be under way', () => target.calls() === before + 1);
      const revoked = await client.revoke(id);
      expect(revoked.status).toBe(row.status);
      expect(revoked.lastError).toBeUndefined();
      expect(revoked.counts.failures).toBe(0);
      await answer;
      await holdsFor('no retry of the abandoned call', () => target.calls() === before + 1, quietMs);
      return;
    }

    const failed = await waitFor('the failure to be applied', async () => {
      const d = await describeOf(id);
      return d.lastError ? d : undefined;
    }, { timeoutMs: answerWaitTimeouts * policy.upstreamTimeoutMs + 15_000, intervalMs: 25 }); // a hanging request is given two timeouts
    expect({ status: failed.status, kind: failed.lastError?.kind, code: failed.lastError?.code }).toEqual({ status: row.status, kind: row.kind, code: row.code });
    expect(target.calls() - before).toBe(reachesFake(row) ? (row.parentToken ? 2 : 1) : 0);
    // The parent's token refused: the parent was asked for a newer one first (as a consumer's report).
    if (row.parentToken) expect((await describeOf(parentOf(id))).version).toBe(2);
    // The caller got an answer at once: the still valid token (transient rows) or ReauthRequiredError.
    expect(await answer).toMatchObject(
      row.status === 'degraded' ? { outcome: { refreshed: false, token: { accessToken: first.accessToken, status: 'degraded' } } } : { error: { name: 'ReauthRequiredError' } },
    );
    // The last valid token is still served.
    expect((await client.getToken(id)).accessToken).toBe(first.accessToken);

    await checkRetry(id, row, target, failed, before);
  }
});
