/**
 * The scenarios `record-histories.ts` runs: each drives credentials through a part of their life
 * (scheduled cycles, forced refreshes, failures, re-authorization, continue-as-new, revocation, and
 * runs left waiting mid-way) and returns the credential ids whose histories are recorded.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClient } from '../../src/client/token-client';
import type { RefreshPolicy } from '../../src/credential';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import type { FakeWechatServer } from '../../src/fakes/wechat-server';

/** What a scenario gets. */
export interface ScenarioContext {
  client: TokenClient;
  oauth2: FakeOAuth2Server;
  wechat: FakeWechatServer;
}

/** One recorded scenario. */
export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<string[]>;
}

const fast: Partial<RefreshPolicy> = { minRefreshIntervalMs: 0, retryInitialMs: 200, retryMaxMs: 1000, upstreamTimeoutMs: 2000, jitterRatio: 0.02 };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function oauth2Credential(client: TokenClient, fake: FakeOAuth2Server, policy: Partial<RefreshPolicy>, withToken = false): Promise<{ id: string; clientId: string }> {
  const id = `${randomUUID().slice(0, 8)}-cred`;
  const clientId = `client-${id}`;
  const clientSecret = `secret-${randomUUID()}`;
  fake.addClient(clientId, clientSecret);
  const token = withToken ? { accessToken: `at-${randomUUID()}`, expiresAt: Date.now() + 3_000 } : undefined;
  await client.register({
    id,
    provider: 'oauth2',
    config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken: fake.issueRefreshToken(clientId) },
    policy: { ...fast, ...policy },
    ...(token ? { token } : {}),
  });
  return { id, clientId };
}

/** Every scenario, in recording order. */
export const scenarios: Scenario[] = [
  {
    name: 'busy',
    async run({ client, oauth2 }) {
      const { id, clientId } = await oauth2Credential(client, oauth2, { maxCyclesPerRun: 3 });
      const v0 = (await client.describe(id)).version;
      await until('two scheduled refreshes', async () => (await client.describe(id)).version >= v0 + 2);
      const now = await client.getToken(id);
      await client.refresh(id, { staleVersion: now.version });
      const failures = (await client.describe(id)).counts.failures;
      oauth2.failNext(1, { status: 503 });
      await until('a retried failure', async () => {
        const d = await client.describe(id);
        return d.counts.failures > failures && d.status === 'active';
      });
      oauth2.rejectNextWith(1, 'invalid_grant');
      await until('reauth_required', async () => (await client.describe(id)).status === 'reauth_required');
      await client.reauthorize(id, { grant: { refreshToken: oauth2.issueRefreshToken(clientId) } });
      await client.reconfigure(id, { policy: { refreshRatio: 0.6 } });
      await until('two continue-as-new', async () => (await client.describe(id)).counts.runs >= 3);
      await client.revoke(id, 'recorded scenario');
      return [id];
    },
  },
  {
    name: 'supplied-token',
    async run({ client, oauth2 }) {
      const { id } = await oauth2Credential(client, oauth2, {}, true);
      await until('a refresh of the supplied token', async () => (await client.describe(id)).version >= 2);
      await client.temporal.workflow.getHandle(`credential:${id}`).signal('forceRefresh', { reason: 'recorded scenario' });
      await until('the forced refresh', async () => (await client.describe(id)).version >= 3);
      await client.revoke(id);
      return [id];
    },
  },
  {
    name: 'wechat-stable',
    async run({ client, wechat }) {
      const appid = `wx${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      const secret = `s-${randomUUID()}`;
      wechat.addApp(appid, secret);
      const id = `${randomUUID().slice(0, 8)}-wx`;
      const reg = await client.register({
        id,
        provider: 'wechat',
        config: { appid, secret, baseUrl: wechat.url, stable: true, forceRefreshPerDay: 1, forceRefreshMinIntervalMs: 0 },
        policy: fast,
      });
      await client.refresh(id, { staleVersion: reg.token.version });
      const second = await client.getToken(id);
      await client.refresh(id, { staleVersion: second.version }); // the force budget declines this one
      await client.revoke(id);
      return [id];
    },
  },
  {
    name: 'reauth-waiting',
    async run({ client }) {
      const fake = await startFakeOAuth2Server({ expiresIn: 2 });
      const { id } = await oauth2Credential(client, fake, {});
      fake.revokeAll();
      await until('reauth_required', async () => (await client.describe(id)).status === 'reauth_required');
      await fake.close();
      return [id]; // left running, waiting for reauthorize
    },
  },
  {
    name: 'outage',
    async run({ client }) {
      const fake = await startFakeOAuth2Server({ expiresIn: 2 });
      const { id } = await oauth2Credential(client, fake, {});
      fake.failNext(1000, { status: 503 });
      await until('expired during the outage', async () => (await client.describe(id)).status === 'expired');
      await until('a few more attempts', async () => (await client.describe(id)).counts.failures >= 4);
      await fake.close();
      return [id]; // left running, retrying
    },
  },
];
