/**
 * The `halflife` CLI as a child process against the dev server and Redis: the credential commands
 * with text and `--json` output, exit codes, errors naming the field, `fake`, `watch` and `demo`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey } from '../../src/codec/keyring';
import { freePort } from '../../src/dev/net';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { runCli, spawnCli, waitForCliOutput } from '../helpers/cli-process';
import { credentialWorkflowId } from '../../src/messages';
import { statusSearchAttribute } from '../../src/search-attributes';
import { initialState } from '../../src/workflows/input';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { exited, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const packageVersion = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('halflife CLI', () => {
  const taskQueue = uniqueId('tq-cli');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let env: Record<string, string>;
  let stateDir: string;

  beforeAll(async () => {
    const t = testEnv();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-cli-'));
    env = {
      TEMPORAL_ADDRESS: t.temporalAddress,
      TEMPORAL_NAMESPACE: t.namespace,
      REDIS_URL: t.redisUrl,
      HALFLIFE_ENCRYPTION_KEYS: t.encryptionKeys,
      HALFLIFE_TASK_QUEUE: taskQueue,
      HALFLIFE_STATE_DIR: stateDir,
      HALFLIFE_LOG_LEVEL: 'warn',
    };
    fake = await startFakeOAuth2Server();
    fake.setExpiresIn(3600);
    worker = await startWorkerProcess(taskQueue);
  });

  afterAll(async () => {
    await worker?.stop();
    await fake?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  /** A registration body for a new client at the fake, written to a file. */
  function bodyFile(): { file: string; clientId: string; clientSecret: string; refreshToken: string } {
    const clientId = uniqueId('cli-client');
    const clientSecret = `cs-${uniqueId('secret')}`;
    fake.addClient(clientId, clientSecret);
    const refreshToken = fake.issueRefreshToken(clientId);
    const file = path.join(stateDir, `${clientId}.json`);
    const body = { provider: 'oauth2', token_endpoint: fake.tokenEndpoint, client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken };
    fs.writeFileSync(file, JSON.stringify(body));
    return { file, clientId, clientSecret, refreshToken };
  }

  it('registers, reads, refreshes, describes, lists and revokes a credential', async () => {
    const id = uniqueId('cli');
    const { file, clientSecret, refreshToken } = bodyFile();
    const registered = await runCli(['--json', 'register', id, '--file', file], env);
    expect(registered).toMatchObject({ code: 0 });
    const reg = JSON.parse(registered.stdout);
    expect(reg).toMatchObject({ id, provider: 'oauth2', created: true, token: { version: 1, status: 'active' } });

    const got = await runCli(['get', id], env);
    expect(got.code).toBe(0);
    const accessToken = got.stdout.trim();
    expect(fake.isValidAccessToken(accessToken)).toBe(true);

    const refreshed = JSON.parse((await runCli(['--json', 'refresh', id, '--stale-version', '1'], env)).stdout);
    expect(refreshed).toMatchObject({ version: 2, refreshed: true });
    const stale = JSON.parse((await runCli(['--json', 'refresh', id, '--stale-version', '1'], env)).stdout);
    expect(stale).toMatchObject({ version: 2, refreshed: false });

    const described = await runCli(['describe', id], env);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/status\s+active/);
    expect(described.stdout).toMatch(/version\s+2/);
    const describedJson = JSON.parse((await runCli(['--json', 'describe', id], env)).stdout);
    expect(describedJson).toMatchObject({ id, version: 2, status: 'active', has_refresh_token: true });

    const listed = await waitFor('the credential in the list', async () => {
      const out = JSON.parse((await runCli(['--json', 'list', '--provider', 'oauth2'], env)).stdout) as { credentials: { id: string }[] };
      return out.credentials.find((c) => c.id === id);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(listed).toMatchObject({ id });

    const watched = await runCli(['--json', 'watch', '--once'], env);
    expect(watched.code).toBe(0);
    const lines = watched.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(lines.map((l) => l.id)).toContain(id);

    const revoked = await runCli(['revoke', id], env);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain(`revoked ${id}`);

    // Nothing the CLI printed holds a secret other than the access token `get` is for.
    const everything = [registered, described, watched, revoked].map((r) => r.stdout + r.stderr).join('\n') + JSON.stringify([refreshed, stale, describedJson]);
    expect(everything).not.toContain(clientSecret);
    expect(everything).not.toContain(refreshToken);
    expect(fake.replays).toBe(0);
  });

  it('watch shows a credential whose workflow no worker answers instead of failing', async () => {
    const client = await openTokenClient(uniqueId('tq-nobody'));
    const id = uniqueId('cli-orphan');
    const state = initialState({ id, provider: 'wecom', config: { corpid: 'c', corpsecret: 'corp-secret-123456' }, grant: {} }, Date.now());
    const handle = await client.temporal.workflow.start('credentialWorkflow', {
      workflowId: credentialWorkflowId(id),
      taskQueue: uniqueId('tq-nobody'), // no worker polls it
      args: [{ state }],
      typedSearchAttributes: [{ key: statusSearchAttribute, value: state.status }],
    });
    try {
      const row = await waitFor('the orphan in watch', async () => {
        const watched = await runCli(['--json', 'watch', '--once'], env, { timeoutMs: 30_000 });
        expect(watched.code).toBe(0);
        const rows = watched.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; describe_error?: string });
        return rows.find((r) => r.id === id);
      }, { timeoutMs: 30_000, intervalMs: 500 });
      expect(row.describe_error).toMatch(/no answer/);
    } finally {
      await handle.terminate('test over');
      await client.shutdown();
    }
  });

  it('reads the body from stdin and exits with documented codes on errors, naming the field', async () => {
    const { file } = bodyFile();
    const id = uniqueId('cli-stdin');
    const fromStdin = await runCli(['register', id, '--file', '-'], env, { input: fs.readFileSync(file, 'utf8') });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain(`registered ${id}`);

    // The same body again is a no-op (registration is idempotent); another body for the same id is a conflict.
    const same = await runCli(['--json', 'register', id, '--file', file], env);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ id, created: false });
    const other = bodyFile();
    const again = await runCli(['--json', 'register', id, '--file', other.file], env);
    expect(again.code).toBe(6);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'credential_exists' } });

    const missing = await runCli(['get', uniqueId('missing')], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found/i);

    const badId = await runCli(['--json', 'register', 'bad id!', '--file', file], env);
    expect(badId.code).toBe(2);
    expect(JSON.parse(badId.stderr).error).toMatchObject({ field: 'id' });

    const badBody = path.join(stateDir, 'bad.json');
    fs.writeFileSync(badBody, JSON.stringify({ provider: 'oauth2', token_endpoint: 'ftp://example.com/token', client_id: 'c', client_secret: 's', refresh_token: 'r' }));
    const badField = await runCli(['--json', 'register', uniqueId('cli-bad'), '--file', badBody], env);
    expect(badField.code).toBe(2);
    expect(JSON.parse(badField.stderr).error).toMatchObject({ field: 'token_endpoint' });

    const notJson = await runCli(['register', uniqueId('cli-bad'), '--file', '-'], env, { input: '{not json' });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--file');

    const usage = await runCli(['get'], env);
    expect(usage.code).toBe(2);
    const version = await runCli(['--version'], env);
    expect(version).toMatchObject({ code: 0, stdout: `${packageVersion}\n` });

    const unreachable = await runCli(['get', 'x'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(unreachable.code).toBe(7);
    expect(unreachable.stderr).toContain('cannot reach Temporal');

    await runCli(['revoke', id], env);
  });

  it('exits 4 when the credential needs re-authorization, and 1 on an unexpected failure (a key ring without the credential\'s key)', async () => {
    const { file, clientId } = bodyFile();
    const id = uniqueId('cli-reauth');
    expect((await runCli(['register', id, '--file', file], env)).code).toBe(0);
    fake.rejectNextWith(1, 'invalid_grant');
    const reauth = await runCli(['refresh', id, '--stale-version', '1'], env);
    expect(reauth.code).toBe(4);
    expect(reauth.stderr).toMatch(/re-?authori[sz]/i);
    expect(fake.callsFor(clientId)).toBe(2);
    expect((await runCli(['revoke', id], env)).code).toBe(0);

    const second = bodyFile();
    const id2 = uniqueId('cli-keys');
    expect((await runCli(['register', id2, '--file', second.file], env)).code).toBe(0);

    // A CLI whose key ring lacks the key the credential is encrypted with: an unexpected failure.
    const stranger = await runCli(['describe', id2], { ...env, HALFLIFE_ENCRYPTION_KEYS: generateKey('stranger') });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/names key 'test1', which is not in the key ring/);
    expect(stranger.stderr).not.toContain(testEnv().encryptionKeys.split(':')[1] as string);
    expect((await runCli(['revoke', id2], env)).code).toBe(0);
  });

  it('runs a fake provider that writes a registration body', async () => {
    const file = path.join(stateDir, 'fake-wecom.json');
    const child = spawnCli(['fake', 'wecom', '--lifetime', '60', '--write', file], env);
    try {
      await waitForCliOutput(child, 'registration body in');
      const body = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(body).toMatchObject({ provider: 'wecom', corpid: expect.any(String), corpsecret: expect.any(String), base_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
      const id = uniqueId('cli-wecom');
      const registered = await runCli(['--json', 'register', id, '--file', file], env);
      expect(registered.code).toBe(0);
      expect(JSON.parse(registered.stdout)).toMatchObject({ provider: 'wecom', token: { status: 'active' } });
      await runCli(['revoke', id], env);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    expect(child.exitCode).toBe(0);
  });

  it.each([
    ['jwt_bearer', { token_endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/token$/), private_key: expect.stringContaining('PRIVATE KEY'), issuer: expect.any(String) }],
    ['github_app', { app_id: expect.any(String), private_key: expect.stringContaining('RSA PRIVATE KEY'), installation_id: expect.any(Number), base_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }],
  ])('fake %s writes a registration body that registers, and describe shows no key', async (provider, shape) => {
    const file = path.join(stateDir, `fake-${provider}.json`);
    const child = spawnCli(['fake', provider, '--lifetime', '60', '--write', file], env);
    try {
      await waitForCliOutput(child, 'registration body in');
      const body = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(body).toMatchObject({ provider, ...shape });
      const id = uniqueId(`cli-${provider.replace('_', '-')}`);
      const registered = await runCli(['--json', 'register', id, '--file', file], env);
      expect(registered.code).toBe(0);
      expect(JSON.parse(registered.stdout)).toMatchObject({ provider, token: { status: 'active' } });
      const described = await runCli(['--json', 'describe', id], env);
      expect(described.stdout).not.toMatch(/PRIVATE KEY|private_key/);
      expect(registered.stdout + registered.stderr + described.stderr).not.toContain('PRIVATE KEY');
      await runCli(['revoke', id], env);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    expect(child.exitCode).toBe(0);
  });

  it.each(['jwt_bearer', 'github_app'])('demo --provider %s shows the credential rotating', async (provider) => {
    const result = await runCli(['--json', 'demo', '--provider', provider, '--cycles', '1', '--lifetime', '4'], env, { timeoutMs: 100_000 });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { version: number; replays: number; upstream_calls: number });
    expect(lines.map((l) => l.version)).toEqual([1, 2]);
    expect(lines.every((l) => l.replays === 0)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
  });

  it('demo shows a credential rotating and revokes it', async () => {
    const result = await runCli(['--json', 'demo', '--cycles', '2', '--lifetime', '4'], env, { timeoutMs: 100_000 });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; version: number; replays: number; upstream_calls: number });
    expect(lines.map((l) => l.version)).toEqual([1, 2, 3]);
    expect(lines.every((l) => l.replays === 0)).toBe(true);
    expect(lines.at(-1)?.upstream_calls).toBe(3);
    const id = lines[0]?.id ?? '';
    const described = JSON.parse((await runCli(['--json', 'describe', id], env)).stdout);
    expect(described.status).toBe('revoked');
  });
});
