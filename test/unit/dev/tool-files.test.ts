import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, findOnPath, isExecutable, withFileLock } from '../../../src/dev/tool-files';
import { waitFor } from '../../helpers/wait';

const savedEnv = { ...process.env };
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-state-'));
});

afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cacheDir', () => {
  it('prefers HALFLIFE_CACHE_DIR', () => {
    process.env.HALFLIFE_CACHE_DIR = path.join(tmp, 'explicit');
    process.env.XDG_CACHE_HOME = path.join(tmp, 'xdg');
    expect(cacheDir()).toBe(path.join(tmp, 'explicit'));
    expect(fs.existsSync(path.join(tmp, 'explicit'))).toBe(true);
  });

  it('then $XDG_CACHE_HOME/halflife', () => {
    delete process.env.HALFLIFE_CACHE_DIR;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'xdg');
    expect(cacheDir()).toBe(path.join(tmp, 'xdg', 'halflife'));
  });

  it('then ~/.cache/halflife', () => {
    delete process.env.HALFLIFE_CACHE_DIR;
    delete process.env.XDG_CACHE_HOME;
    expect(cacheDir()).toBe(path.join(os.homedir(), '.cache', 'halflife'));
  });
});

describe('findOnPath / isExecutable', () => {
  it('finds executables only', () => {
    const exe = path.join(tmp, 'tool');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    const plain = path.join(tmp, 'plain');
    fs.writeFileSync(plain, 'x', { mode: 0o644 });
    process.env.PATH = [path.join(tmp, 'missing'), tmp].join(path.delimiter);
    expect(findOnPath('tool')).toBe(exe);
    expect(findOnPath('nothing-here')).toBeUndefined();
    expect(isExecutable(exe)).toBe(true);
    expect(isExecutable(tmp)).toBe(false); // a folder
    expect(isExecutable(plain)).toBe(false); // no x bit: not executable, even for root
  });
});

describe('withFileLock', () => {
  it('runs holders one at a time and removes the lock', async () => {
    const lock = path.join(tmp, 'x.lock');
    const events: string[] = [];
    let releaseFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstEntered!: () => void;
    const firstIn = new Promise<void>((resolve) => (firstEntered = resolve));
    const first = withFileLock(lock, async () => {
      events.push('first in');
      firstEntered();
      await firstMayEnd;
      events.push('first out');
    });
    await firstIn;
    const messages: string[] = [];
    const second = withFileLock(
      lock,
      async () => {
        events.push('second in');
      },
      { pollMs: 20, log: (m) => messages.push(m) },
    );
    // The second holder must be waiting now: it announces that before its first poll.
    await waitFor('the second holder to announce its wait', () => messages.length > 0, { timeoutMs: 10_000, intervalMs: 10 });
    expect(events).toEqual(['first in']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(messages[0]).toMatch(/waiting/);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('breaks the lock of a process that no longer exists', async () => {
    const lock = path.join(tmp, 'stale.lock');
    fs.writeFileSync(lock, '999999999\n'); // beyond pid_max: never a live process
    await expect(withFileLock(lock, async () => 'ran', { pollMs: 10, waitMs: 5_000 })).resolves.toBe('ran');
  });

  it('gives up after waitMs while a live process holds it', async () => {
    const lock = path.join(tmp, 'held.lock');
    fs.writeFileSync(lock, `${process.ppid}\n`); // the parent process is alive
    await expect(withFileLock(lock, async () => 'ran', { pollMs: 10, waitMs: 200 })).rejects.toThrow(/timed out/);
    expect(fs.existsSync(lock)).toBe(true);
  });
});
