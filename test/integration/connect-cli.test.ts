/**
 * `halflife connect` as a child process, against oidc-provider and the connect stack's API (which
 * serves the links): a link printed for a new credential, `describe` and `watch` showing it
 * pending, the credential connected once the person authorizes; the device flow printing a
 * verification URL and a user code and waiting until it is approved; bad input naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeAuthorizationCodeFlow, completeDeviceFlow } from '../peers/oidc-peer';
import { runCli, spawnCli, waitForCliOutput } from '../helpers/cli-process';
import { useConnectStack } from '../helpers/connect-stack';
import { testEnv, uniqueId } from '../helpers/test-env';
import { exited } from '../helpers/worker-process';

describe('halflife connect', () => {
  const stack = useConnectStack();
  let env: Record<string, string>;
  let stateDir: string;
  let settingsFile: string;

  beforeAll(() => {
    const t = testEnv();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-connect-cli-'));
    env = {
      TEMPORAL_ADDRESS: t.temporalAddress,
      TEMPORAL_NAMESPACE: t.namespace,
      REDIS_URL: t.redisUrl,
      HALFLIFE_ENCRYPTION_KEYS: t.encryptionKeys,
      HALFLIFE_TASK_QUEUE: stack.taskQueue,
      HALFLIFE_STATE_DIR: stateDir,
      HALFLIFE_PUBLIC_URL: stack.base,
      HALFLIFE_LOG_LEVEL: 'warn',
    };
    settingsFile = path.join(stateDir, 'connect.json');
    const settings = { issuer: stack.peer.issuer, client_id: stack.peerClient.clientId, client_secret: stack.peerClient.clientSecret, scope: 'openid offline_access api' };
    fs.writeFileSync(settingsFile, JSON.stringify(settings));
  });
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('prints a link; describe and watch show it pending; the credential is connected once the person authorizes', async () => {
    const id = uniqueId('cli-conn');
    const printed = await runCli(['connect', id, '--file', settingsFile], env);
    expect(printed.code).toBe(0);
    const url = /(http:\/\/\S+\/connect\/[A-Za-z0-9_-]{43})/.exec(printed.stdout)?.[1];
    expect(url).toBeDefined();
    expect(printed.stdout).toContain(`The provider must accept the redirect URI ${stack.base}/connect/callback`);

    const notYet = await runCli(['describe', id], env);
    expect(notYet.code).toBe(3);
    expect(notYet.stderr).toContain(`${id} is not registered yet; connect link pending (opened 0×)`);
    const watched = await runCli(['watch', '--once'], env);
    expect(watched.stdout).toMatch(new RegExp(`${id} not registered yet connect link pending`));

    const back = await completeAuthorizationCodeFlow(url!, { redirectUri: `${stack.base}/connect/callback` });
    const page = await fetch(back.redirectTo);
    expect(await page.text()).toContain(`Credential ${id} is connected (version 1)`);
    const described = await runCli(['describe', id, '--json'], env);
    expect(described.code).toBe(0);
    const description = JSON.parse(described.stdout) as Record<string, unknown>;
    expect(description).toMatchObject({ id, status: 'active', version: 1 });
    expect(description.connect).toBeUndefined();
  });

  it('--device prints the verification URL and the user code, waits, and reports the connection', async () => {
    const id = uniqueId('cli-device');
    const child = spawnCli(['connect', id, '--file', settingsFile, '--device'], env);
    await waitForCliOutput(child, 'Waiting for the authorization');
    const out = child.output().stdout;
    expect(out).toMatch(/open http:\/\/\S+\/device and enter the code \S+/);
    const complete = /\(or open (\S+)\)/.exec(out)?.[1];
    expect((await completeDeviceFlow(complete!)).approved).toBe(true);
    await exited(child);
    expect(child.output().code).toBe(0);
    expect(child.output().stdout).toContain(`connected ${id}: credential ${id} was registered (version 1)`);
  });

  it('bad input names the field (exit 2)', async () => {
    const bad = await runCli(['connect', uniqueId('cli-bad'), '--file', settingsFile, '--preset', 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('preset: must be one of');
    const noSecret = await runCli(['connect', uniqueId('cli-bad'), '--preset', 'google'], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('client_secret: is required');
  });
});
