import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { formatAddress, freePort, isPortOpen, rejectOnExit, startChildProcess, waitForPort } from '../../../src/dev/net';
import { waitFor } from '../../helpers/wait';

/** Listens on host:port; resolves to the server. */
function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

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

describe('ports', () => {
  it('freePort gives a port nothing listens on; isPortOpen sees a listener', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortOpen('127.0.0.1', port, 500)).toBe(false);
    const server = await listen(port);
    try {
      expect(await isPortOpen('127.0.0.1', port, 500)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('waitForPort waits until something listens', async () => {
    const port = await freePort();
    let server: net.Server | undefined;
    const timer = setTimeout(() => void listen(port).then((s) => (server = s)), 300);
    try {
      await waitForPort('127.0.0.1', port, 10_000, { intervalMs: 20 });
      expect(await isPortOpen('127.0.0.1', port, 500)).toBe(true);
    } finally {
      clearTimeout(timer);
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
  });

  it('waitForPort gives up at its deadline', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitForPort('127.0.0.1', port, 300, { intervalMs: 20 })).rejects.toThrow(/nothing listens/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('formatAddress brackets IPv6 hosts', () => {
    expect(formatAddress('127.0.0.1', 7233)).toBe('127.0.0.1:7233');
    expect(formatAddress('::1', 7233)).toBe('[::1]:7233');
  });
});

describe('startChildProcess', () => {
  it('stops a child with SIGTERM, and with SIGKILL when it ignores SIGTERM', async () => {
    const stubborn = startChildProcess('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    const polite = startChildProcess('sh', ['-c', 'echo ready; exec sleep 60']);
    const deadline = Date.now() + 10_000;
    while (!(stubborn.outputTail().includes('ready') && polite.outputTail().includes('ready')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await polite.stop(5_000);
    expect((await polite.exited).signal).toBe('SIGTERM');
    await stubborn.stop(300);
    expect((await stubborn.exited).signal).toBe('SIGKILL');
    expect(stubborn.hasExited()).toBe(true);
  }, 60_000);

  it('writes output to a log file and reports an early exit with its tail', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-net-'));
    try {
      const logFile = path.join(dir, 'child.log');
      const child = startChildProcess('sh', ['-c', 'echo "something went wrong" >&2; exit 3'], { logFile });
      await expect(rejectOnExit(child, 'the test child')).rejects.toThrow(/exit code 3[\s\S]*something went wrong/);
      expect(fs.readFileSync(logFile, 'utf8')).toContain('something went wrong');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a command that cannot be started', async () => {
    const child = startChildProcess('/nonexistent/halflife-command', []);
    await expect(rejectOnExit(child, 'the missing command')).rejects.toThrow(/ENOENT/);
  });

  it('does not keep its parent alive, and dies when the parent exits normally', async () => {
    const netModule = path.resolve(__dirname, '../../../src/dev/net.ts');
    const script = `const { startChildProcess } = require(${JSON.stringify(netModule)});
const c = startChildProcess('sleep', ['60']);
process.stdout.write(String(c.pid));`;
    // The parent returns on its own (the child is unref'd); its exit hook sends the child SIGTERM.
    const pid = Number(execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 30_000 }));
    expect(pid).toBeGreaterThan(0);
    await waitFor('the orphaned child to end', () => processGone(pid), { timeoutMs: 10_000 });
  }, 60_000);
});
