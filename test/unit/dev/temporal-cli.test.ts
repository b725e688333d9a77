import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedTemporalCliPath, ensureTemporalCli, findTemporalCli } from '../../../src/dev/temporal-cli';

const savedEnv = { ...process.env };
let tmp: string;
let emptyBin: string;

/** Writes an executable shell script. */
function script(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-cli-'));
  emptyBin = path.join(tmp, 'path-bin');
  fs.mkdirSync(emptyBin);
  // Nothing on PATH, an empty cache: each test adds what it needs.
  process.env.PATH = emptyBin;
  process.env.HALFLIFE_CACHE_DIR = path.join(tmp, 'cache');
  delete process.env.HALFLIFE_TEMPORAL_CLI;
  delete process.env.GOROOT;
});

afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('ensureTemporalCli', () => {
  it('uses HALFLIFE_TEMPORAL_CLI when set', async () => {
    const cli = script(path.join(tmp, 'custom', 'temporal'), 'echo custom');
    process.env.HALFLIFE_TEMPORAL_CLI = cli;
    await expect(ensureTemporalCli({ build: false, download: false })).resolves.toBe(cli);
  });

  it('rejects a HALFLIFE_TEMPORAL_CLI that does not exist', async () => {
    process.env.HALFLIFE_TEMPORAL_CLI = path.join(tmp, 'nope', 'temporal');
    await expect(ensureTemporalCli({ build: false, download: false })).rejects.toThrow(/HALFLIFE_TEMPORAL_CLI/);
  });

  it('finds temporal on PATH before the cache', async () => {
    const onPath = script(path.join(emptyBin, 'temporal'), 'echo path');
    script(cachedTemporalCliPath(), 'echo cached');
    await expect(ensureTemporalCli({ build: false, download: false })).resolves.toBe(onPath);
  });

  it('finds the binary in the cache folder', async () => {
    const cached = script(path.join(tmp, 'cache', 'bin', 'temporal'), 'echo cached');
    expect(findTemporalCli()).toBe(cached);
    await expect(ensureTemporalCli({ build: false, download: false })).resolves.toBe(cached);
  });

  it('says what to install when nothing is found', async () => {
    expect(findTemporalCli()).toBeUndefined();
    const err = (await ensureTemporalCli({ build: false, download: false }).then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
    expect(err.message).toMatch(/HALFLIFE_TEMPORAL_CLI/);
    expect(err.message).toMatch(/TEMPORAL_ADDRESS/);
  });

  it('builds with go install into the cache, falling back to an older version when a build fails', async () => {
    // A stand-in for `go`: fails for v1.5.1, "builds" v1.5.0 into $GOBIN, and records what it was asked.
    const calls = path.join(tmp, 'go-calls.txt');
    const chmod = ['/bin/chmod', '/usr/bin/chmod'].find((f) => fs.existsSync(f)) ?? 'chmod';
    script(
      path.join(emptyBin, 'go'),
      [
        `echo "$@ GOBIN=$GOBIN CGO_ENABLED=$CGO_ENABLED" >> ${calls}`,
        'case "$2" in',
        '  *@v1.5.1) echo "go: build failed on purpose" >&2; exit 1;;',
        '  *) echo "go: downloading github.com/temporalio/cli ${2#*@}" >&2; printf "#!/bin/sh\\necho built\\n" > "$GOBIN/temporal"; ' + chmod + ' 755 "$GOBIN/temporal";;',
        'esac',
      ].join('\n'),
    );
    const messages: string[] = [];
    const cli = await ensureTemporalCli({ log: (m) => messages.push(m), download: false });
    expect(cli).toBe(path.join(tmp, 'cache', 'bin', 'temporal'));
    expect(fs.readFileSync(cli, 'utf8')).toContain('echo built');
    const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1 GOBIN=\S+ CGO_ENABLED=0$/);
    expect(lines[1]).toMatch(/^install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.0 /);
    expect(messages.join('\n')).toMatch(/several minutes/);
    expect(messages.join('\n')).toMatch(/build failed on purpose/);
    // No build leftovers, no lock left behind.
    expect(fs.readdirSync(path.join(tmp, 'cache', 'bin'))).toEqual(['temporal']);
    expect(fs.existsSync(path.join(tmp, 'cache', 'temporal-cli.lock'))).toBe(false);
  });

  it('waits for another process that holds the build lock, then uses what it built', async () => {
    const lock = path.join(tmp, 'cache', 'temporal-cli.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, `${process.ppid}\n`); // a live process "is building"
    const messages: string[] = [];
    let waiting!: () => void;
    const announced = new Promise<void>((resolve) => (waiting = resolve));
    const pending = ensureTemporalCli({
      build: false,
      download: false,
      log: (m) => {
        messages.push(m);
        if (/waiting/.test(m)) waiting();
      },
    });
    await announced;
    // The "other process" finishes its build and releases the lock.
    const cached = script(cachedTemporalCliPath(), 'echo built-elsewhere');
    fs.rmSync(lock);
    await expect(pending).resolves.toBe(cached);
  });
});
