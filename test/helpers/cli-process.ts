/** Runs the `halflife` CLI as a child process (through tsx, from source), as users run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';
import { exited } from './worker-process';

/** What a finished CLI run printed and returned. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = path.join(__dirname, '..', '..');
const entry = path.join(root, 'src', 'cli', 'main.ts');

/** Starts the CLI with `args`; the caller owns the child. */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess & { output(): CliResult } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return Object.assign(child, { output: () => ({ code: child.exitCode, stdout, stderr }) });
}

/** Runs the CLI to completion (feeding `input` on stdin) and resolves with its output and exit code. */
export async function runCli(args: readonly string[], env: Record<string, string>, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  child.stdin?.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exited(child);
    const result = child.output();
    if (result.code === null) throw new Error(`halflife ${args.join(' ')} did not finish within ${timeoutMs} ms: ${result.stderr.slice(-2000)}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until a long-running CLI child has printed `text` (on stdout or stderr). */
export async function waitForCliOutput(child: ReturnType<typeof spawnCli>, text: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`CLI output "${text}"`, () => {
    const out = child.output();
    if (out.code !== null) throw new Error(`CLI exited with ${out.code}: ${out.stderr.slice(-2000)}`);
    return out.stdout.includes(text) || out.stderr.includes(text);
  }, { timeoutMs });
}
