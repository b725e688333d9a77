/**
 * The state folder holds the development keys and the dev server's database: it is created 0700,
 * its files 0600, and both are tightened when they already exist with looser modes. The umask is
 * cleared during each test, so a mode the code forgets to pass shows up as 0777/0666.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevApiKey } from '../../src/api/keys';
import { loadOrCreateDevKeyring } from '../../src/codec/keyring';
import { createFileOnce, ensureStateDir, stateFiles } from '../../src/state-folder';

let tmp: string;
let savedUmask: number;

/** The permission bits of `file`. */
function modeOf(file: string): number {
  return fs.lstatSync(file).mode & 0o777;
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-state-folder-'));
  savedUmask = process.umask(0);
});

afterEach(() => {
  process.umask(savedUmask);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('ensureStateDir', () => {
  it('creates the folder (and missing parents) 0700', () => {
    const dir = path.join(tmp, 'a', 'state');
    expect(ensureStateDir(dir)).toBe(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(tmp, 'a'))).toBe(0o700);
  });

  it('tightens an existing folder and the files Halflife keeps there, and leaves other files alone', () => {
    const dir = path.join(tmp, 'state');
    fs.mkdirSync(dir, { mode: 0o755 });
    const ours = [stateFiles.encryptionKeys, stateFiles.apiKey, stateFiles.temporalDb, `${stateFiles.temporalDb}-wal`, stateFiles.temporalLog];
    for (const name of ours) fs.writeFileSync(path.join(dir, name), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x', { mode: 0o644 });
    ensureStateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
    for (const name of ours) expect([name, modeOf(path.join(dir, name))]).toEqual([name, 0o600]);
    expect(modeOf(path.join(dir, 'notes.txt'))).toBe(0o644);
  });

  it('never follows a symlink placed under a state file name', () => {
    const dir = path.join(tmp, 'state');
    fs.mkdirSync(dir, { mode: 0o700 });
    const outside = path.join(tmp, 'outside');
    fs.writeFileSync(outside, 'x', { mode: 0o644 });
    fs.symlinkSync(outside, path.join(dir, stateFiles.apiKey));
    ensureStateDir(dir);
    expect(modeOf(outside)).toBe(0o644);
  });

  it('names HALFLIFE_STATE_DIR when the folder cannot be made', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => ensureStateDir(path.join(file, 'state'))).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'HALFLIFE_STATE_DIR' }));
  });
});

describe('createFileOnce', () => {
  it('creates the file 0600 once and keeps its first content', () => {
    const file = path.join(tmp, 'once');
    expect(createFileOnce(file, 'first')).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(createFileOnce(file, 'second')).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('first');
    expect(fs.readdirSync(tmp)).toEqual(['once']); // no temporary file left behind
  });
});

describe('the development key files', () => {
  it('are created 0600 in a 0700 folder, and tightened when an older version left them readable', () => {
    const dir = path.join(tmp, 'state');
    loadOrCreateDevKeyring(dir);
    ensureDevApiKey(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(dir, stateFiles.encryptionKeys))).toBe(0o600);
    expect(modeOf(path.join(dir, stateFiles.apiKey))).toBe(0o600);

    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, stateFiles.encryptionKeys), 0o644);
    fs.chmodSync(path.join(dir, stateFiles.apiKey), 0o644);
    loadOrCreateDevKeyring(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(dir, stateFiles.encryptionKeys))).toBe(0o600);
    ensureDevApiKey(dir);
    expect(modeOf(path.join(dir, stateFiles.apiKey))).toBe(0o600);
  });
});
