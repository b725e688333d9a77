/**
 * The product's HTTP API as a child process: `halflife api` (src/service/start.ts with the API part
 * only, src/service/api-process.ts), configured from the environment as users configure it. Tests
 * choose the port, the API keys, and anything else through environment variables.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiKeyConfig } from '../../src/api/keys';
import { freePort } from '../../src/dev/net';
import { spawnCli, waitForCliOutput } from './cli-process';
import { serviceEnv } from './test-env';
import { exited } from './worker-process';

/** A running `halflife api`. */
export interface ApiProcessHandle {
  /** Its base URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, waiting for its exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `halflife api` on a free port for `taskQueue`, admitting `keys`; `env` adds or overrides variables. */
export async function startApiProcess(taskQueue: string, keys: ApiKeyConfig[], env: Record<string, string> = {}): Promise<ApiProcessHandle> {
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-api-'));
  const child = spawnCli(['api'], {
    ...serviceEnv({ taskQueue }),
    HALFLIFE_API_PORT: String(port),
    HALFLIFE_API_KEYS: JSON.stringify(keys),
    HALFLIFE_STATE_DIR: stateDir,
    HALFLIFE_LOG_LEVEL: 'info',
    HALFLIFE_LOG_FORMAT: 'json',
    ...env,
  });
  await waitForCliOutput(child, 'HTTP API listening', 60_000);
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => {
      const out = child.output();
      return out.stdout + out.stderr;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      fs.rmSync(stateDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}
