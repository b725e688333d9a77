import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { rejectOnExit, runLogged, startChildProcess } from '../../../src/dev/processes';
import { waitFor } from '../../helpers/wait';

/** True when `pid` no longer runs (gone, or a zombie nobody reaped yet). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('startChildProcess', () => {
  it('stops a child with SIGTERM, and with SIGKILL when it ignores SIGTERM', async () => {
    const stubborn = startChildProcess('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    const polite = startChildProcess('sh', ['-c', 'echo ready; exec sleep 60']);
    await waitFor('both children ready', () => stubborn.outputTail().includes('ready') && polite.outputTail().includes('ready'), { timeoutMs: 10_000, intervalMs: 20 });
    await polite.stop(5_000);
    expect((await polite.exited).signal).toBe('SIGTERM');
    await stubborn.stop(300);
    expect((await stubborn.exited).signal).toBe('SIGKILL');
    expect(stubborn.hasExited()).toBe(true);
  }, 60_000);

  it('writes output to a log file and reports an early exit with its tail', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-processes-'));
    try {
      const logFile = path.join(dir, 'child.log');
      const child = startChildProcess('sh', ['-c', 'echo "something went wrong" >&2; exit 3'], { logFile });
      await expect(rejectOnExit(child, 'the test child')).rejects.toThrow(/exit code 3[\s\S]*something went wrong/);
      expect(fs.readFileSync(logFile, 'utf8')).toContain('something went wrong');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates its log file 0600 and runs the child with the umask it is given', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-processes-'));
    const saved = process.umask(0o022);
    try {
      const logFile = path.join(dir, 'child.log');
      const made = path.join(dir, 'made-by-child');
      const child = startChildProcess('sh', ['-c', `echo hi; : > ${JSON.stringify(made)}`], { logFile, umask: 0o077 });
      expect((await child.exited).code).toBe(0);
      expect(fs.statSync(logFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(made).mode & 0o777).toBe(0o600);
      expect(process.umask()).toBe(0o022); // this process keeps its own umask
    } finally {
      process.umask(saved);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a command that cannot be started', async () => {
    const child = startChildProcess('/nonexistent/halflife-command', []);
    await expect(rejectOnExit(child, 'the missing command')).rejects.toThrow(/ENOENT/);
  });

  it('does not keep its parent alive, and dies when the parent exits normally', async () => {
    const processesModule = path.resolve(__dirname, '../../../src/dev/processes.ts');
    const script = `const { startChildProcess } = require(${JSON.stringify(processesModule)});
const c = startChildProcess('sleep', ['60']);
process.stdout.write(String(c.pid));`;
    // The parent returns on its own (the child is unref'd); its exit hook sends the child SIGTERM.
    const pid = Number(execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 30_000 }));
    expect(pid).toBeGreaterThan(0);
    await waitFor('the orphaned child to end', () => processGone(pid), { timeoutMs: 10_000 });
  }, 60_000);
});

describe('runLogged', () => {
  it('logs every output line of both streams and resolves on exit code 0', async () => {
    const lines: string[] = [];
    await runLogged('sh', ['-c', 'echo one; echo two >&2; printf three'], { log: (line) => lines.push(line) });
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
  });

  it('rejects with the command, its exit code and its last lines', async () => {
    const run = runLogged('sh', ['-c', 'echo "apt says no" >&2; exit 100'], { log: () => undefined });
    await expect(run).rejects.toThrow(/^sh -c .* failed \(exit code 100\):\napt says no$/);
  });

  it('rejects when the command cannot be started', async () => {
    await expect(runLogged('/nonexistent/halflife-command', [], { log: () => undefined })).rejects.toThrow(/ENOENT/);
  });
});
