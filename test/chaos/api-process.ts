/**
 * The HTTP API of the deployment under test, as its own process: `halflife api` (the CLI, from
 * source) with `NODE_ENV=production` (so registration applies the production egress rules, as the
 * bad-input corpus expects), the run's key ring and four API keys: admin over every credential
 * (storms), admin over `billing-*` (the corpus's attacker), read over every credential (readers),
 * and the corpus's read key. Resolves once `GET /healthz` answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/dev/net';
import type { TestEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { exited } from '../helpers/worker-process';

/** The API keys of the run. */
export interface ChaosApiKeys {
  admin: string;
  scopedAdmin: string;
  read: string;
}

/** A running API process. */
export interface ChaosApi {
  readonly url: string;
  readonly port: number;
  readonly keys: ChaosApiKeys;
  /** The current process (replaced if it has to be restarted). */
  readonly child: ChildProcess;
  /** Times the process exited without being asked to. */
  readonly crashes: number;
  /** The last lines it printed. */
  output(): string;
  /** Its error log lines (pino level 50 and up), the first 50, for evidence of a 5xx. */
  readonly errorLines: string[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const root = path.join(__dirname, '..', '..');
const key = (name: string) => `chaos-${name}-${randomBytes(16).toString('hex')}`;

/** Starts `halflife api` on a free loopback port against `env`, restarting it (and counting a crash) if it exits on its own. */
export async function startChaosApi(env: TestEnv, taskQueue: string): Promise<ChaosApi> {
  const port = await freePort();
  const keys: ChaosApiKeys = { admin: key('admin'), scopedAdmin: key('billing'), read: key('read') };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-chaos-api-'));
  const variables = {
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.namespace,
    HALFLIFE_TASK_QUEUE: taskQueue,
    REDIS_URL: env.redisUrl,
    HALFLIFE_ENCRYPTION_KEYS: env.encryptionKeys,
    HALFLIFE_API_HOST: '127.0.0.1',
    HALFLIFE_API_PORT: String(port),
    HALFLIFE_API_KEYS: JSON.stringify([
      { key: keys.admin, scopes: ['admin'], credentials: '*', name: 'chaos-admin' },
      { key: keys.scopedAdmin, scopes: ['admin'], credentials: 'billing-*', name: 'chaos-billing' },
      { key: keys.read, scopes: ['read'], credentials: '*', name: 'chaos-read' },
    ]),
    HALFLIFE_STATE_DIR: stateDir,
    HALFLIFE_LOG_LEVEL: 'warn',
    HALFLIFE_LOG_FORMAT: 'json',
    NO_COLOR: '1',
  };
  let printed = '';
  const errorLines: string[] = [];
  let stopping = false;
  let crashes = 0;
  const url = `http://127.0.0.1:${port}`;
  const spawnApi = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'api'], { cwd: root, env: { ...process.env, ...variables }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      printed = (printed + text).slice(-20_000);
      for (const line of text.split('\n')) if (/"level":(5|6)\d/.test(line) && errorLines.length < 50) errorLines.push(line.slice(0, 2_000));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (stopping) return;
      crashes += 1;
      printed += `\n[chaos] the API process exited on its own (${child.exitCode ?? child.signalCode}); restarting it\n`;
      current = spawnApi();
    });
    return child;
  };
  let current = spawnApi();
  const up = () => waitFor('the HTTP API to answer /healthz', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, intervalMs: 200 });
  try {
    await up();
  } catch (err) {
    stopping = true;
    current.kill('SIGKILL');
    throw new Error(`${err instanceof Error ? err.message : String(err)}; its output:\n${printed.slice(-3000)}`, { cause: err });
  }
  return {
    url,
    port,
    keys,
    get child() {
      return current;
    },
    get crashes() {
      return crashes;
    },
    output: () => printed,
    errorLines,
    async stop() {
      stopping = true;
      if (current.exitCode === null && current.signalCode === null) current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
      await exited(current);
      clearTimeout(timer);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
