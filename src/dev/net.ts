/**
 * Loopback networking and child-process helpers for the local services the dev scripts start
 * (Temporal dev server, Redis): port probes, free ports, and children that are stopped with
 * SIGTERM, then SIGKILL, and never outlive this process on a normal exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Options of {@link waitForPort}. */
export interface WaitForPortOptions {
  /** Poll interval. @default 100 */
  intervalMs?: number;
  /** Stop waiting early when this rejects (e.g. the child that should listen has exited). */
  abort?: Promise<never>;
}

/** Polls until host:port accepts connections; rejects after `deadlineMs` milliseconds. */
export async function waitForPort(host: string, port: number, deadlineMs: number, options: WaitForPortOptions = {}): Promise<void> {
  const { intervalMs = 100, abort } = options;
  const deadline = Date.now() + deadlineMs;
  const poll = async (): Promise<void> => {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing listens on ${host}:${port} after ${deadlineMs} ms`);
      if (await isPortOpen(host, port, Math.min(1000, Math.max(left, 50)))) return;
      await delay(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
    }
  };
  await (abort ? Promise.race([poll(), abort]) : poll());
}

/** A TCP port that was free a moment ago (listen on port 0, note the port, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The host to connect to for a server bound to `host` (wildcard binds are reached on loopback). */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

/** Resolves after `ms` milliseconds (poll intervals only). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

/** Options of {@link startChildProcess}. */
export interface ChildProcessOptions {
  /** Append stdout and stderr to this file; without it output is kept in memory (last 64 KB) for error messages. */
  logFile?: string;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
  /** Working directory. */
  cwd?: string;
}

/** A child process started by {@link startChildProcess}. */
export interface ManagedChild {
  /** The process. */
  readonly child: ChildProcess;
  /** Its pid (undefined when spawning failed). */
  readonly pid: number | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last `maxChars` characters of its output (from the log file or memory). */
  outputTail(maxChars?: number): string;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL and wait again; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Makes sure no child started here outlives this process on a normal exit path. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Spawns a long-running local service. It does not keep this process alive by itself (unref'd);
 * it is sent SIGTERM when this process exits normally, and `stop()` ends it explicitly.
 */
export function startChildProcess(command: string, args: readonly string[], options: ChildProcessOptions = {}): ManagedChild {
  installExitHook();
  let logFd: number | undefined;
  let logStart = 0;
  if (options.logFile) {
    logFd = fs.openSync(options.logFile, 'a');
    logStart = fs.fstatSync(logFd).size;
  }
  const memory: string[] = [];
  let memoryChars = 0;
  const remember = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    memory.push(text);
    memoryChars += text.length;
    while (memoryChars > 64 * 1024 && memory.length > 1) memoryChars -= memory.shift()!.length;
  };

  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    detached: false,
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    stream.on('data', remember);
    (stream as unknown as { unref?: () => void }).unref?.();
  }
  liveChildren.add(child);
  child.unref();

  let exitInfo: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve((exitInfo = { code, signal })));
    child.on('error', (error) => {
      // 'error' without 'exit' means the process never started.
      if (child.pid === undefined) resolve((exitInfo = { code: null, signal: null, error }));
    });
  }).finally(() => liveChildren.delete(child));

  const outputTail = (maxChars = 4000): string => {
    let text = memory.join('');
    if (options.logFile) {
      try {
        const fd = fs.openSync(options.logFile, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          const start = Math.max(logStart, size - maxChars);
          const buffer = Buffer.alloc(size - start);
          fs.readSync(fd, buffer, 0, buffer.length, start);
          text = buffer.toString('utf8');
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // unreadable log: nothing to show
      }
    }
    return text.length > maxChars ? text.slice(text.length - maxChars) : text;
  };

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15_000): Promise<void> =>
    (stopping ??= (async () => {
      if (exitInfo) return;
      child.kill('SIGTERM');
      const timedOut = Symbol('timeout');
      let timer: NodeJS.Timeout | undefined;
      const raced = await Promise.race([
        exited,
        new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), graceMs))),
      ]);
      clearTimeout(timer);
      if (raced === timedOut && !exitInfo) {
        child.kill('SIGKILL');
        await exited;
      }
    })());

  return { child, pid: child.pid, exited, hasExited: () => exitInfo !== undefined, outputTail, stop };
}

/** A promise that rejects (with the output tail) when `child` exits, for racing against readiness waits. */
export function rejectOnExit(child: ManagedChild, what: string): Promise<never> {
  const rejection = child.exited.then((exit): never => {
    const how = exit.error ? exit.error.message : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    throw new Error(`${what} exited before it was ready (${how}). Last output:\n${child.outputTail()}`);
  });
  rejection.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  return rejection;
}
