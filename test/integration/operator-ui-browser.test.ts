/**
 * The Temporal Web UI as an operator uses it, in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against a dev server of its own whose UI decodes through Halflife's codec
 * endpoint: the documented "needs a person" query lists the `reauth_required` credential and not
 * the healthy one, its columns say why, the credential's page shows the classified reason and the
 * remedy in its current details, and the failed attempt in its history reads, decoded, as
 * `invalid_grant: …`, while no secret appears anywhere on the pages.
 * Skipped, saying why, only when no Chromium is installed (`.ci/run` installs it with apt-get).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ApiKeys } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { startDevServer, type DevServerHandle } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { createLogger } from '../../src/logger';
import { credentialWorkflowId } from '../../src/messages';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { documentedQuery, instantiate } from '../helpers/operator-queries';
import { testEnv, testStateDir, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const executablePath = process.env.HALFLIFE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = fs.existsSync(executablePath);
const describeWithBrowser = available ? describe : describe.skip;
if (!available) {
  process.stderr.write(`[operator-ui-browser] SKIPPED: no Chromium at ${executablePath} (install it: apt-get install -y --no-install-recommends chromium, or set HALFLIFE_TEST_CHROMIUM)\n`);
}

describeWithBrowser('the Web UI in headless Chromium', () => {
  const taskQueue = uniqueId('tq-ui');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-ui-'));
  const keyring = parseKeyring(testEnv().encryptionKeys);
  let server: DevServerHandle;
  let worker: WorkerProcess;
  let client: TokenClient;
  let closeConnection: () => Promise<void>;
  let api: FastifyInstance;
  let fake: FakeOAuth2Server;
  let browser: Browser;
  let decodes = 0;

  beforeAll(async () => {
    const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    server = await startDevServer({
      port,
      uiPort,
      searchAttributes: { ...requiredSearchAttributes },
      uiCodecEndpoint: `http://127.0.0.1:${apiPort}/codec`,
      logFile: path.join(testStateDir, `ui-browser-temporal-${process.pid}.log`),
    });
    // The worker child reads its servers from a test environment file: the same one, but this dev server.
    const envFile = path.join(dir, 'test-env.json');
    fs.writeFileSync(envFile, JSON.stringify({ ...testEnv(), temporalAddress: server.address }));
    worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_ENV: envFile });
    const connection = await connectTemporal({ address: server.address });
    closeConnection = () => connection.close();
    client = new TokenClient({ connection, taskQueue, dataConverter: createDataConverter(keyring) });
    api = createApiServer({
      tokenClient: client,
      keys: ApiKeys.of([{ key: `ui-admin-${uniqueId('k')}-0123456789`, scopes: ['admin'], credentials: '*', name: 'ui-admin' }]),
      health: { temporal: async () => true },
      logger: createLogger('warn'),
      uiOrigins: [server.uiUrl!, server.uiUrl!.replace('127.0.0.1', 'localhost')],
      // The dev set-up: the local Web UI calls the codec endpoint on loopback without a key.
      codec: { codec: new AesGcmCodec(keyring), allowLoopbackWithoutKey: true },
    });
    await api.listen({ host: '127.0.0.1', port: apiPort });
    expect((api.server.address() as AddressInfo).port).toBe(apiPort);
    fake = await startFakeOAuth2Server();
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await client?.close();
    await closeConnection?.();
    await worker?.stop();
    await fake?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    page.on('response', (res) => {
      if (res.url().includes('/codec/decode') && res.status() === 200) decodes++;
    });
    return page;
  }

  it('finds the credential that needs a person, and why, from the list and its page', async () => {
    fake.setExpiresIn(3600);
    const healthy = await registerOAuth2(client, fake);
    const rejected = await registerOAuth2(client, fake);
    fake.rejectNextWith(1, 'invalid_grant');
    await client.refresh(rejected.id, { staleVersion: rejected.token.version }).catch(() => undefined);
    expect((await client.describe(rejected.id)).status).toBe('reauth_required');
    const secrets = [healthy.clientSecret, rejected.clientSecret, healthy.token.accessToken, rejected.token.accessToken];
    const page = await newPage();

    // 1. The workflow list, filtered by the documented query: the rejected credential, not the healthy one.
    const query = instantiate(documentedQuery('needs a person').template, Date.now());
    const listUrl = `${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
    const row = page.locator('tr', { hasText: credentialWorkflowId(rejected.id) });
    await waitFor('the rejected credential in the filtered list', async () => {
      await page.goto(listUrl);
      await row.first().waitFor({ timeout: 5_000 });
      return true;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(await page.locator('tr', { hasText: credentialWorkflowId(healthy.id) }).count()).toBe(0);

    // 2. The columns of the documented set-up say why, on the first screen.
    await page.getByTestId('workflows-summary-table-configuration-button').click();
    await page.getByRole('button', { name: 'Add HalflifeStatus column' }).click();
    await page.getByRole('button', { name: 'Add HalflifeLastErrorCode column' }).click();
    await page.keyboard.press('Escape');
    await waitFor('the status and error code columns', async () => {
      const text = (await row.first().innerText()).replace(/\s+/g, ' ');
      return text.includes('reauth_required') && text.includes('invalid_grant');
    }, { timeoutMs: 15_000 });

    // 3. The credential's page: the current details give the classified reason and the remedy.
    const workflowUrl = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(credentialWorkflowId(rejected.id))}`;
    await page.goto(workflowUrl);
    await page.getByText('User Metadata', { exact: true }).click();
    const reason = 'invalid_grant: token endpoint refused the request with invalid_grant (HTTP 400)';
    // The UI renders summaries and details (Markdown) in frames of their own.
    const metadata = await waitFor('the reason in the current details', async () => {
      const texts = await Promise.all(page.frames().map((frame) => frame.locator('body').innerText().catch(() => '')));
      const all = texts.join('\n').replace(/\s+/g, ' ');
      return all.includes(reason) ? all : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(metadata).toContain(`oauth2 credential ${rejected.id}`);
    expect(metadata).toContain('reauth_required');
    expect(metadata).toContain(`halflife connect ${rejected.id}`);

    // 4. The history: the failed attempt, opened, reads decoded through the codec endpoint.
    await page.goto(workflowUrl);
    await page.getByText('Activity Task Failed', { exact: true }).first().click();
    await page.getByText(reason).first().waitFor({ timeout: 30_000 });
    expect(decodes).toBeGreaterThan(0);
    const history = await page.locator('body').innerText();
    expect(history).toContain('"redacted": true'); // secrets in inputs and results show as their shape
    for (const secret of secrets) {
      expect(history).not.toContain(secret);
      expect(metadata).not.toContain(secret);
    }
    await page.close();
    await client.revoke(healthy.id);
    await client.revoke(rejected.id);
  });
});
