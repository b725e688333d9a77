/**
 * What an operator reads, asserted through the Temporal client: the static summary (`describe`),
 * the current details (the `__temporal_workflow_metadata` query the Web UI sends), the summaries of
 * timers and activities in the history, the search attributes, and every ready-made query of
 * docs/operations.md run as a list query against credentials in each state.
 */
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { freePort } from '../../src/dev/net';
import { credentialWorkflowId } from '../../src/messages';
import {
  expiresAtSearchAttribute,
  lastErrorCodeSearchAttribute,
  nextRefreshAtSearchAttribute,
  providerSearchAttribute,
  statusSearchAttribute,
} from '../../src/search-attributes';
import { fastPolicy, registerOAuth2 } from '../helpers/oauth2-credential';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { documentedQueries, documentedQuery, instantiate } from '../helpers/operator-queries';
import { testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('what operators read', () => {
  const taskQueue = uniqueId('tq-operator');
  const stack = useOAuth2Stack(taskQueue);
  const converter = createDataConverter(parseKeyring(testEnv().encryptionKeys));
  const handle = (id: string) => stack.client.temporal.workflow.getHandle(credentialWorkflowId(id));

  /** A payload as text, decoded with the test's key ring. */
  async function decodeText(payload: temporal.api.common.v1.IPayload | null | undefined): Promise<string | undefined> {
    if (!payload) return undefined;
    const [decoded] = await converter.payloadCodecs[0]!.decode([payload as Payload]);
    return defaultPayloadConverter.fromPayload<string>(decoded!);
  }

  /** Every summary of the current run's history, as `EVENT_TYPE_…: summary`. */
  async function summaries(id: string): Promise<string[]> {
    const history = await handle(id).fetchHistory();
    const out: string[] = [];
    for (const event of history.events ?? []) {
      const summary = await decodeText(event.userMetadata?.summary);
      if (summary !== undefined) out.push(`${temporal.api.enums.v1.EventType[event.eventType ?? 0]}: ${summary}`);
    }
    return out;
  }

  /** The current details the Web UI shows (answered by the worker). */
  async function currentDetails(id: string): Promise<string> {
    const metadata = await handle(id).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return metadata.currentDetails ?? '';
  }

  it('a healthy credential: static summary and details, current details, search attributes, summaries of the refresh, the publication and the timer', async () => {
    stack.fake.setExpiresIn(3600);
    const cred = await registerOAuth2(stack.client, stack.fake);
    const host = new URL(stack.fake.tokenEndpoint).host;
    const described = await waitFor('the half-life timer', async () => {
      const d = await stack.client.describe(cred.id);
      return d.status === 'active' && (await summaries(cred.id)).some((s) => s.startsWith('EVENT_TYPE_TIMER_STARTED')) ? d : undefined;
    });

    const execution = await handle(cred.id).describe();
    expect(await execution.staticSummary()).toBe(`oauth2 credential ${cred.id}`);
    // Static details (issue 12, item 1): what the credential is, readable on the page without the CLI.
    expect(await execution.staticDetails()).toEqual(expect.stringContaining(host));

    expect(await currentDetails(cred.id)).toBe(`**active** · v1 · expires ${iso(cred.token.expiresAt)} · next refresh ${iso(described.nextRefreshAt!)}`);

    const attributes = execution.typedSearchAttributes;
    expect(attributes.get(statusSearchAttribute)).toBe('active');
    expect(attributes.get(providerSearchAttribute)).toBe('oauth2');
    expect(attributes.get(expiresAtSearchAttribute)?.getTime()).toBe(cred.token.expiresAt);
    expect(attributes.get(nextRefreshAtSearchAttribute)?.getTime()).toBe(described.nextRefreshAt);
    expect(attributes.get(lastErrorCodeSearchAttribute)).toBeUndefined();

    expect(await summaries(cred.id)).toEqual(
      expect.arrayContaining([
        `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: oauth2 credential ${cred.id}`,
        `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: refresh v1 via ${host}`,
        'EVENT_TYPE_MARKER_RECORDED: publish the current token and status to Redis',
        'EVENT_TYPE_TIMER_STARTED: refresh at 50 % of the lifetime',
      ]),
    );
    await stack.client.revoke(cred.id);
  });

  it('a rejected grant: reauth_required with the classified reason and the remedy, the code in HalflifeLastErrorCode', async () => {
    stack.fake.setExpiresIn(3600);
    const cred = await registerOAuth2(stack.client, stack.fake);
    stack.fake.rejectNextWith(1, 'invalid_grant');
    await stack.client.refresh(cred.id, { staleVersion: cred.token.version }).catch(() => undefined);
    const failedAt = (await stack.client.describe(cred.id)).lastError!.at;

    const details = await currentDetails(cred.id);
    expect(details).toContain(`**reauth_required** · v1 · expires ${iso(cred.token.expiresAt)}`);
    expect(details).toContain(`since ${iso(failedAt)}: invalid_grant: token endpoint refused the request with invalid_grant (HTTP 400)`);
    expect(details).toContain(`→ run \`halflife connect ${cred.id}\` or POST /v1/credentials/${cred.id}/reauthorize`);

    const attributes = await waitFor('the search attributes of reauth_required', async () => {
      const a = (await handle(cred.id).describe()).typedSearchAttributes;
      return a.get(statusSearchAttribute) === 'reauth_required' ? a : undefined;
    });
    expect(attributes.get(lastErrorCodeSearchAttribute)).toBe('invalid_grant');
    expect(await summaries(cred.id)).toContain(`EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: refresh v2 via ${new URL(stack.fake.tokenEndpoint).host}`);
    await stack.client.revoke(cred.id);
  });

  it('retries: degraded in the current details, each retry timer names its number and the code', async () => {
    stack.fake.setExpiresIn(3600);
    const cred = await registerOAuth2(stack.client, stack.fake, { retryInitialMs: 1_000, retryMaxMs: 1_500 });
    stack.fake.failNext(3, { status: 503 });
    const refreshing = stack.client.refresh(cred.id, { staleVersion: cred.token.version });
    const degraded = await waitFor('degraded in the current details', async () => {
      const d = await currentDetails(cred.id);
      return d.startsWith('**degraded**') ? d : undefined;
    });
    expect(degraded).toMatch(/failing since \S+Z: http_503: .* · attempt \d, next at \S+Z$/);
    await refreshing;
    await waitFor('recovery', async () => (await stack.client.describe(cred.id)).version === 2);
    const timers = (await summaries(cred.id)).filter((s) => s.startsWith('EVENT_TYPE_TIMER_STARTED'));
    expect(timers).toEqual(expect.arrayContaining(['EVENT_TYPE_TIMER_STARTED: retry 1 after http_503', 'EVENT_TYPE_TIMER_STARTED: retry 2 after http_503']));
    await stack.client.revoke(cred.id);
  });

  it('the static summary and details survive continue-as-new', async () => {
    stack.fake.setExpiresIn(2);
    const cred = await registerOAuth2(stack.client, stack.fake, { maxCyclesPerRun: 1, minRefreshIntervalMs: 0 });
    const first = (await handle(cred.id).describe()).runId;
    await waitFor('a continued run', async () => (await handle(cred.id).describe()).runId !== first, { timeoutMs: 30_000 });
    const execution = await handle(cred.id).describe();
    expect(await execution.staticSummary()).toBe(`oauth2 credential ${cred.id}`);
    expect(await execution.staticDetails()).toEqual(expect.stringContaining(new URL(stack.fake.tokenEndpoint).host));
    await stack.client.revoke(cred.id);
  });

  describe('the ready-made queries of docs/operations.md', () => {
    const ids: Record<string, string> = {};
    let deadEndpoint: string;

    beforeAll(async () => {
      stack.fake.setExpiresIn(3600);
      deadEndpoint = `http://127.0.0.1:${await freePort()}`; // nothing listens: network_error, retried
      const policy = { ...fastPolicy, retryInitialMs: 500, retryMaxMs: 2_000 };
      const dead = (id: string, expiresAt: number, provider: 'oauth2' | 'wechat' = 'oauth2') =>
        stack.client.register({
          id,
          provider,
          config: provider === 'wechat' ? { appid: 'wx0123456789abcdef', secret: 'app-secret-0123456789', baseUrl: deadEndpoint } : { tokenEndpoint: `${deadEndpoint}/token`, clientId: 'c', clientSecret: 'client-secret-0123456789' },
          ...(provider === 'oauth2' ? { grant: { refreshToken: `rt-${uniqueId('r')}-0123456789` } } : {}),
          token: { accessToken: `at-${uniqueId('a')}-0123456789`, expiresAt },
          policy,
        }).catch((err: unknown) => {
          // Without a valid token, registration waits for the first refresh, which fails: expected.
          if ((err as Error).name !== 'UpstreamFailingError') throw err;
        });
      ids.healthy = (await registerOAuth2(stack.client, stack.fake)).id;
      const rejected = await registerOAuth2(stack.client, stack.fake);
      stack.fake.rejectNextWith(1, 'invalid_grant');
      await stack.client.refresh(rejected.id, { staleVersion: rejected.token.version }).catch(() => undefined);
      ids.rejected = rejected.id;
      stack.fake.setExpiresIn(300);
      ids.expiringSoon = (await registerOAuth2(stack.client, stack.fake)).id;
      ids.degraded = uniqueId('degraded');
      await dead(ids.degraded, Date.now() + 3_600_000);
      await stack.client.refresh(ids.degraded, { staleVersion: 1 }).catch(() => undefined);
      ids.expired = uniqueId('expired');
      await dead(ids.expired, Date.now() - 60_000);
      ids.wechat = uniqueId('wechat');
      await dead(ids.wechat, Date.now() - 60_000, 'wechat');
      const want: Record<string, string> = { rejected: 'reauth_required', degraded: 'degraded', expired: 'expired', wechat: 'expired', healthy: 'active', expiringSoon: 'active' };
      await waitFor('every credential in its state in visibility', async () => {
        for (const [name, status] of Object.entries(want)) {
          const a = (await handle(ids[name]!).describe()).typedSearchAttributes;
          if (a.get(statusSearchAttribute) !== status) return false;
        }
        return true;
      });
    });
    afterAll(async () => {
      for (const id of Object.values(ids)) await stack.client.revoke(id).catch(() => undefined);
    });

    /** The names of our credentials a query lists (visibility is eventually consistent: polled until it settles on `expected`). */
    async function listed(query: string, expected: string[]): Promise<string[]> {
      const mine = Object.values(ids).map((id) => `'${credentialWorkflowId(id)}'`);
      const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [credentialWorkflowId(id), name]));
      let last: string[] = [];
      await waitFor(`the list of ${query} to be ${expected.join(', ')}`, async () => {
        last = [];
        for await (const info of stack.client.temporal.workflow.list({ query: `(${query}) AND WorkflowId IN (${mine.join(', ')})` })) last.push(names[info.workflowId]!);
        last.sort();
        return JSON.stringify(last) === JSON.stringify([...expected].sort());
      }, { timeoutMs: 10_000 }).catch(() => undefined);
      return last;
    }

    it('the document lists the questions operators ask', () => {
      expect(documentedQueries().map((q) => q.question)).toEqual(
        expect.arrayContaining(['needs a person', 'failing for more than an hour', 'expiring within 10 minutes (or expired)', 'by provider']),
      );
    });

    it.each([
      ['needs a person', ['rejected']],
      ['no valid token', ['expired', 'wechat']],
      ['expiring within 10 minutes (or expired)', ['expiringSoon', 'expired', 'wechat']],
      ['by provider', ['wechat']],
      ['by provider, only the troubled ones', ['rejected', 'degraded', 'expired']],
      ['one failure code', ['rejected']],
    ])('%s', async (question, expected) => {
      expect(await listed(instantiate(documentedQuery(question).template, Date.now()), expected)).toEqual([...expected].sort());
    });

    it('failing for more than an hour: none of these yet; with the hour shortened to a moment, the ones still failing', async () => {
      const { template } = documentedQuery('failing for more than an hour');
      expect(await listed(instantiate(template, Date.now()), [])).toEqual([]);
      // The degraded and expired credentials have been retrying since before `now - 0` (their first retry is behind them).
      const now = Date.now() + 3_000;
      expect(await listed(instantiate(template, now, () => 0), ['degraded', 'expired', 'wechat'])).toEqual(['degraded', 'expired', 'wechat']);
    });
  });
});
