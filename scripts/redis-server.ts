/**
 * A local Redis for the tests, the benchmarks and CI: finds (or, as root on Debian/Ubuntu,
 * installs) the `redis-server` binary, and starts one without persistence, or reuses one that
 * already answers. (`halflife start` starts no Redis: it uses `REDIS_URL`, or one on 6379 if it answers.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectHost, delay, isPortOpen } from '../src/dev/net';
import { rejectOnExit, runLogged, startChildProcess } from '../src/dev/processes';
import { cacheDir, findOnPath, isExecutable, withFileLock } from '../src/dev/tool-files';
import { isRedisUp } from '../src/service/redis-probe';

/** Options of {@link ensureRedisServerBinary}. */
export interface EnsureRedisOptions {
  /** Progress messages. */
  log?: (msg: string) => void;
  /** Install with apt-get when running as root and missing. @default true */
  install?: boolean;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. */
  port: number;
  /** Working directory of the server (it writes nothing there: no RDB, no AOF). */
  dir: string;
  /** Progress messages. */
  log?: (msg: string) => void;
  /** Append the server's output to this file; without it the output is only kept for error messages. */
  logFile?: string;
  /** The `redis-server` binary; found (or installed) with `ensureRedisServerBinary` when omitted. */
  redisServer?: string;
  /** How long to wait for PING. @default 20000 */
  readyTimeoutMs?: number;
}

/** A running (or reused) Redis. */
export interface RedisServerHandle {
  /** `redis://host:port`. */
  url: string;
  /** True when a Redis that already answered is used (then `stop()` does nothing). */
  reused: boolean;
  /** Pid of the server this call started. */
  pid?: number;
  /** Stops the server this call started: SIGTERM, then SIGKILL after a deadline. */
  stop(): Promise<void>;
}

/** Where `redis-server` usually lives when it is not on PATH. */
const wellKnownRedisPaths = ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'];

/** An installed `redis-server`, or undefined. */
export function findRedisServer(): string | undefined {
  return findOnPath('redis-server') ?? wellKnownRedisPaths.find(isExecutable);
}

/** What to install, for the error raised when no `redis-server` can be found or installed. */
function redisInstructions(reason: string): string {
  return [
    `redis-server was not found (${reason}).`,
    'Install Redis, then run the command again:',
    '  Debian/Ubuntu: sudo apt-get install -y redis-server',
    '  Fedora/RHEL:   sudo dnf install -y redis',
    '  macOS:         brew install redis',
    'or set REDIS_URL to a Redis you already run.',
  ].join('\n');
}

/**
 * Returns the path of `redis-server`: on PATH or in the usual folders; else, when running as root
 * where apt-get exists, installs the Debian package (one install at a time, via a lock file).
 */
export async function ensureRedisServerBinary(options: EnsureRedisOptions = {}): Promise<string> {
  const log = options.log ?? (() => undefined);
  const found = findRedisServer();
  if (found) return found;
  const aptGet = findOnPath('apt-get') ?? ['/usr/bin/apt-get'].find(isExecutable);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (options.install === false) throw new Error(redisInstructions('installing is disabled'));
  if (!aptGet) throw new Error(redisInstructions('no apt-get to install it with'));
  if (!isRoot) throw new Error(redisInstructions('not running as root, so it cannot be installed automatically'));
  return withFileLock(
    path.join(cacheDir(), 'redis-install.lock'),
    async () => {
      const again = findRedisServer();
      if (again) return again;
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      log('redis-server is missing; installing the Debian package (apt-get update, apt-get install -y redis-server)');
      try {
        await runLogged(aptGet, ['update'], { env, log });
        await runLogged(aptGet, ['install', '-y', '--no-install-recommends', 'redis-server'], { env, log });
      } catch (err) {
        throw new Error(redisInstructions(`apt-get failed: ${err instanceof Error ? err.message : String(err)}`), { cause: err });
      }
      const installed = findRedisServer();
      if (!installed) throw new Error(redisInstructions('apt-get finished, but redis-server is still missing'));
      log(`redis-server installed: ${installed}`);
      return installed;
    },
    { log, what: 'the redis-server install lock' },
  );
}

/**
 * Starts a Redis without persistence on host:port, or reuses one that already answers PING there.
 * Resolves once it answers PING.
 */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const { port } = opts;
  const log = opts.log ?? (() => undefined);
  const probeHost = connectHost(host);
  const url = `redis://${probeHost.includes(':') ? `[${probeHost}]` : probeHost}:${port}`;
  if (await isRedisUp(url)) {
    log(`reusing the Redis already answering on ${url}`);
    return { url, reused: true, stop: async () => undefined };
  }
  if (await isPortOpen(probeHost, port, 1000)) {
    throw new Error(`port ${port} on ${probeHost} is in use, but not by a Redis that answers PING; stop that process or choose another port`);
  }
  const binary = opts.redisServer ?? (await ensureRedisServerBinary({ log }));
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  if (opts.logFile) fs.mkdirSync(path.dirname(path.resolve(opts.logFile)), { recursive: true });
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  log(`starting Redis on ${url} (no persistence)`);
  const child = startChildProcess(binary, args, { logFile: opts.logFile });
  const exited = rejectOnExit(child, 'redis-server');
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  const ready = (async () => {
    while (!(await isRedisUp(url, 500))) {
      if (child.hasExited()) throw new Error(`redis-server exited before it was ready. Last output:\n${child.outputTail()}`);
      if (Date.now() > deadline) throw new Error(`Redis on ${url} did not answer PING in time. Last output:\n${child.outputTail()}`);
      await delay(100);
    }
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (err) {
    await child.stop(2_000);
    if (child.hasExited() && (await isRedisUp(url))) {
      // Lost a race with another process that started one on this port: use it.
      return { url, reused: true, stop: async () => undefined };
    }
    throw err;
  }
  log(`Redis ready on ${url}`);
  return { url, reused: false, pid: child.pid, stop: () => child.stop(10_000) };
}
