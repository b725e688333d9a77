/**
 * The service's state folder (`HALFLIFE_STATE_DIR`, default `<cwd>/.halflife`): the development
 * key ring and API key, and the dev server's SQLite database and log. It holds secrets, so the
 * folder is created 0700 and every file Halflife keeps in it 0600; both are tightened whenever the
 * folder is opened, in case an older version or a person made them looser. Key files are created
 * once and race-free: two processes starting together agree on one file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidConfigError } from './errors';

/** The files Halflife keeps in the state folder. */
export const stateFiles = {
  /** The development encryption key ring (`HALFLIFE_ENCRYPTION_KEYS` unset). */
  encryptionKeys: 'encryption-keys',
  /** The development admin API key (`HALFLIFE_API_KEYS` unset). */
  apiKey: 'api-key',
  /** The dev server's SQLite database; SQLite keeps `-wal`, `-shm` and `-journal` files beside it. */
  temporalDb: 'temporal.db',
  /** The dev server's output. */
  temporalLog: 'temporal.log',
} as const;

/** Mode of the state folder: only its owner may list or enter it. */
export const privateDirMode = 0o700;

/** Mode of every file in it: only its owner may read or write it. */
export const privateFileMode = 0o600;

/** The umask under which child processes writing into the state folder (the dev server) run. */
export const privateUmask = 0o077;

/** True for a file name Halflife keeps in the state folder (including SQLite's companions and our temporary files). */
function isStateFile(name: string): boolean {
  const base = name.endsWith('.tmp') ? name.slice(0, name.indexOf('.')) : name;
  return (Object.values(stateFiles) as string[]).includes(base) || name.startsWith(`${stateFiles.temporalDb}-`);
}

/** Clears the group and other bits of `file` (never following a symlink); true when it had any. */
function tighten(file: string): boolean {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink() || (stat.mode & 0o077) === 0) return false;
  fs.chmodSync(file, stat.mode & 0o700);
  return true;
}

/**
 * Creates the state folder (0700) or tightens it and the files Halflife keeps there (0600);
 * returns its absolute path. Other files a person put there are left alone.
 */
export function ensureStateDir(dir: string): string {
  const absolute = path.resolve(dir);
  try {
    fs.mkdirSync(absolute, { recursive: true, mode: privateDirMode });
    tighten(absolute);
    for (const name of fs.readdirSync(absolute)) if (isStateFile(name)) tighten(path.join(absolute, name));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidConfigError('HALFLIFE_STATE_DIR', `${absolute} cannot be made a private folder (${reason})`);
  }
  return absolute;
}

/**
 * Writes `content` to `file` (mode 0600) unless the file exists; true when this call created it.
 * Race-free: a private temporary file is linked into place, and `link` fails when the name exists,
 * so two processes starting together end up with one file and no reader sees it half-written.
 */
export function createFileOnce(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, content, { flag: 'wx', mode: privateFileMode });
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.unlinkSync(temporary);
  }
}
