/**
 * The real HTTP API process for storms: `halflife api` (the CLI, from source) against a given
 * Temporal server and Redis, on a free loopback port, with one admin key. Resolves once
 * `GET /healthz` answers 200.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/dev/net';
import { waitFor } from '../../test/helpers/wait';
import { exited } from '../../test/helpers/worker-process';
import type { StormEnvironment } from './protocol';

/** A running API process. */
export interface ApiService {
  url: string;
  /** An admin key over every credential. */
  key: string;
  /** The process id (to read its CPU time). */
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const root = path.join(__dirname, '..', '..');

/** Starts `halflife api` for the deployment in `env` (its `apiUrl` and `apiKey` are ignored); `nodeArgs` go to node (e.g. `--cpu-prof`). */
export async function startApiService(env: StormEnvironment, options: { logLevel?: string; nodeArgs?: string[] } = {}): Promise<ApiService> {
  const port = await freePort();
  const key = `storm-admin-${randomBytes(16).toString('hex')}`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-storm-api-'));
  const variables = {
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.namespace,
    HALFLIFE_TASK_QUEUE: env.taskQueue,
    REDIS_URL: env.redisUrl,
    HALFLIFE_ENCRYPTION_KEYS: env.encryptionKeys,
    HALFLIFE_API_HOST: '127.0.0.1',
    HALFLIFE_API_PORT: String(port),
    HALFLIFE_API_KEYS: JSON.stringify([{ key, scopes: ['admin'], credentials: '*', name: 'storm' }]),
    HALFLIFE_STATE_DIR: stateDir,
    HALFLIFE_LOG_LEVEL: options.logLevel ?? 'warn',
    HALFLIFE_LOG_FORMAT: 'json',
    NO_COLOR: '1',
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'api'], {
    cwd: root,
    env: { ...process.env, ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const output = () => printed;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(timer);
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const died = exited(child).then(() => {
      throw new Error(`halflife api exited with ${child.exitCode ?? child.signalCode}: ${output().slice(-2000)}`);
    });
    const up = waitFor('the HTTP API to answer /healthz', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000, intervalMs: 100 });
    await Promise.race([up, died]);
    died.catch(() => undefined);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, key, pid: child.pid ?? -1, output, stop };
}
