/**
 * File-system helpers of the dev tooling (finding, building or installing the Temporal CLI and
 * redis-server): the per-user cache folder (the Temporal CLI binary), executable lookup, and a
 * cross-process lock file. The service's own state folder is `src/state-folder.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The per-user cache folder: `$HALFLIFE_CACHE_DIR`, `$XDG_CACHE_HOME/halflife` or `~/.cache/halflife`, created on demand. */
export function cacheDir(): string {
  const explicit = process.env.HALFLIFE_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME;
  const dir = path.resolve(explicit || (xdg ? path.join(xdg, 'halflife') : path.join(os.homedir(), '.cache', 'halflife')));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** True when `file` exists, is a regular file, and may be executed by this process. */
export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` on `$PATH` (with `.exe` on Windows), or `undefined`. */
export function findOnPath(name: string): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const candidate of names) {
      const file = path.join(dir, candidate);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Progress messages (e.g. "waiting for another process"). */
  log?: (msg: string) => void;
  /** Give up waiting for another holder after this long. @default 30 minutes */
  waitMs?: number;
  /** Poll interval while waiting. @default 500 */
  pollMs?: number;
  /** What the lock protects, for messages. */
  what?: string;
}

/** True when a process with this id is alive on this host. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file once (true) or reports it held by a live process (false); stale locks are removed. */
function tryAcquire(lockFile: string): boolean {
  try {
    const fd = fs.openSync(lockFile, 'wx');
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let holder: number;
  let ageMs: number;
  try {
    holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8').trim(), 10);
    ageMs = Date.now() - fs.statSync(lockFile).mtimeMs;
  } catch {
    return false; // removed meanwhile: try again on the next poll
  }
  // A lock without a pid yet is being written; give its owner a moment before calling it stale.
  const stale = Number.isInteger(holder) ? holder !== process.pid && !processAlive(holder) : ageMs > 10_000;
  if (stale) fs.rmSync(lockFile, { force: true });
  return false;
}

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL, holding the pid), so two processes
 * (e.g. CI and `npm start`) never run it at once; the other one waits. Locks of dead processes are broken.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { log, waitMs = 30 * 60_000, pollMs = 500, what = 'the lock' } = options;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + waitMs;
  let told = false;
  while (!tryAcquire(lockFile)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(waitMs / 1000)} s waiting for ${what} (${lockFile}); remove that file if no other process is using it`);
    }
    if (!told) {
      log?.(`another process holds ${what} (${lockFile}); waiting for it to finish`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
