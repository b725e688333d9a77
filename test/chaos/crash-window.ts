/**
 * The crash window after an answer arrives, for RELIABILITY.md's residual risks: runs
 * `bench/durability.ts` (its own dev server, Redis and fake provider) as a child process and
 * returns its JSON line, or undefined when it fails (the report then says it was not measured).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** Runs the durability benchmark for `seconds` with `credentials`; `log` gets its progress lines. */
export async function measureCrashWindow(log: (line: string) => void, credentials = 10, seconds = 20): Promise<Record<string, unknown> | undefined> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'durability.ts'), '--credentials', String(credentials), '--seconds', String(seconds)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) log(`durability: ${line.slice(0, 200)}`);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = out.trim().split('\n').at(-1);
  if (code !== 0 || !last) return undefined;
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
