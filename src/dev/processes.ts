/**
 * Child processes of the dev commands and scripts: long-running local services (Temporal dev
 * server, Redis) that are stopped with SIGTERM, then SIGKILL, and never outlive this process on a
 * normal exit; and one-shot commands (`go install`, `apt-get`, `tar`) whose output is logged line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

/** Options of {@link startChildProcess}. */
export interface ChildProcessOptions {
  /** Append stdout and stderr to this file (created 0600); without it output is kept in memory (last 64 KB) for error messages. */
  logFile?: string;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
  /** Working directory. */
  cwd?: string;
  /** Umask of the child (e.g. 0o077 for a server writing into a private folder). @default this process's */
  umask?: number;
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
    logFd = fs.openSync(options.logFile, 'a', 0o600);
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

  // A child inherits the umask it is forked with; spawn forks synchronously, so the change is this call's only.
  const previousUmask = options.umask === undefined ? undefined : process.umask(options.umask);
  let child: ChildProcess;
  try {
    child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
      detached: false,
    });
  } finally {
    if (previousUmask !== undefined) process.umask(previousUmask);
  }
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

/** Options of {@link runLogged}. */
export interface RunLoggedOptions {
  /** Each non-empty output line (stdout and stderr). */
  log: (line: string) => void;
  /** Environment of the command. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Logged every 30 s with the elapsed time while the command runs (long builds), e.g. "still building". */
  heartbeat?: string;
}

/** How many of the last output lines a failure message quotes. */
const failureLines = 30;

/**
 * Runs a one-shot command to completion, passing each output line to `log`; rejects with the
 * command, how it ended and its last lines when it fails.
 */
export function runLogged(command: string, args: readonly string[], options: RunLoggedOptions): Promise<void> {
  const { log, env = process.env, heartbeat } = options;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const recent: string[] = [];
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string) => {
      if (!line.trim()) return;
      recent.push(line);
      if (recent.length > failureLines) recent.shift();
      log(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => onLine(pending));
    }
    const ticker = heartbeat ? setInterval(() => log(`${heartbeat} (${Math.round((Date.now() - started) / 1000)} s so far)`), 30_000) : undefined;
    const finish = (err?: Error) => {
      clearInterval(ticker);
      if (err) reject(err);
      else resolve();
    };
    child.once('error', (err) => finish(err));
    child.once('close', (code, signal) =>
      code === 0 ? finish() : finish(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${recent.join('\n')}`)),
    );
  });
}
