/** Starts credential workers as child processes, so tests can stop, kill and replace them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

/** A worker child process. */
export interface WorkerProcess {
  readonly pid: number;
  /** The child process itself (exit code and signal). */
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves when the output contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Graceful shutdown (SIGTERM), waiting for exit. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), waiting for exit: the crash case. */
  kill(): Promise<void>;
}

const root = path.join(__dirname, '..', '..');

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns `worker-main.ts` on `taskQueue` and waits until it polls. */
export async function startWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, HALFLIFE_TEST_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const handle: WorkerProcess = {
    pid: child.pid ?? -1,
    child,
    output: () => out,
    async waitForOutput(text, timeoutMs = 60_000) {
      await waitFor(`worker output "${text}"`, () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${out.slice(-2000)}`);
        return out.includes(text);
      }, { timeoutMs });
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
  await handle.waitForOutput('WORKER READY');
  return handle;
}
