/**
 * A connect link clicked through in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) opens the link, is redirected to oidc-provider, logs in and consents
 * on its pages, and lands on Halflife's success page; the credential then serves a token.
 * Skipped, saying why, only when no Chromium is installed (`.ci/run` installs it with apt-get).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { useConnectStack } from '../helpers/connect-stack';
import { uniqueId } from '../helpers/test-env';

const executablePath = process.env.HALFLIFE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = fs.existsSync(executablePath);
const describeWithBrowser = available ? describe : describe.skip;
if (!available) {
  process.stderr.write(`[connect-browser] SKIPPED: no Chromium at ${executablePath} (install it: apt-get install -y --no-install-recommends chromium, or set HALFLIFE_TEST_CHROMIUM)\n`);
}

describeWithBrowser('a connect link in headless Chromium', () => {
  const stack = useConnectStack();
  let browser: BrowserContext | undefined;
  let profile: string;

  beforeAll(async () => {
    // A fresh profile (playwright passes it as --user-data-dir) and the flags of a quiet, sandbox-free headless run.
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });

  it('logs in and consents on the provider\'s pages and lands on the success page', async () => {
    const id = uniqueId('browser');
    const res = await fetch(`${stack.base}/v1/credentials/${id}/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ issuer: stack.peer.issuer, client_id: stack.peerClient.clientId, client_secret: stack.peerClient.clientSecret, scope: 'openid offline_access api' }),
    });
    const { url } = (await res.json()) as { url: string };

    const page = await browser!.newPage();
    await page.goto(url);
    // oidc-provider's development login page, then its consent page.
    await page.locator('input[name="login"]').fill('carol');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((target) => target.pathname === '/connect/callback', { timeout: 30_000 });
    const heading = page.locator('h1[data-result="ok"]');
    await heading.waitFor({ timeout: 30_000 });
    expect(await heading.textContent()).toContain('Connected');
    expect(await page.locator('main').textContent()).toContain(`Credential ${id} is connected (version 1)`);
    await page.close();

    const token = await stack.client.getToken(id);
    expect(await stack.peer.isAccessTokenValid(token.accessToken)).toBe(true);
  });
});
