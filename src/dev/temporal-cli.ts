/**
 * Finds the Temporal CLI (which embeds the dev server), building it with Go or downloading the
 * official release when this machine has none. Order: `$HALFLIFE_TEMPORAL_CLI`, `temporal` on
 * PATH, `<cacheDir>/bin/temporal`, `go install …@v1.5.1` (then v1.5.0, v1.4.1), the official
 * download; otherwise an error saying exactly what to install.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runLogged } from './processes';
import { cacheDir, findOnPath, isExecutable, withFileLock } from './tool-files';

/** CLI versions tried by `go install`, newest first (later ones carry a `replace` directive that `go install` refuses). */
export const temporalCliVersions: readonly string[] = ['v1.5.1', 'v1.5.0', 'v1.4.1'];

/** The Go package path of the Temporal CLI. */
export const temporalCliPackage = 'github.com/temporalio/cli/cmd/temporal';

/** Options of {@link ensureTemporalCli}. */
export interface EnsureTemporalCliOptions {
  /** Progress messages (one line each). */
  log?: (msg: string) => void;
  /** Build with Go when no binary is found. @default true */
  build?: boolean;
  /** Download the official release when it cannot be built. @default true */
  download?: boolean;
}

/** File name of the CLI binary on this platform. */
function exeName(): string {
  return process.platform === 'win32' ? 'temporal.exe' : 'temporal';
}

/** Where Halflife keeps a CLI it built or downloaded: `<cacheDir>/bin/temporal`. */
export function cachedTemporalCliPath(): string {
  return path.join(cacheDir(), 'bin', exeName());
}

/** A Temporal CLI that is already on this machine (env, PATH, cache), without building anything. */
export function findTemporalCli(): string | undefined {
  const explicit = process.env.HALFLIFE_TEMPORAL_CLI;
  if (explicit) {
    const file = path.resolve(explicit);
    if (!isExecutable(file)) {
      throw new Error(`HALFLIFE_TEMPORAL_CLI is set to ${explicit}, but that is not an executable file; fix or unset it`);
    }
    return file;
  }
  const onPath = findOnPath('temporal');
  if (onPath) return onPath;
  const cached = cachedTemporalCliPath();
  return isExecutable(cached) ? cached : undefined;
}

/** The `go` binary: on PATH, else `/usr/local/go/bin/go` (or `$GOROOT/bin/go`); undefined when absent. */
export function findGo(): string | undefined {
  const candidates = [
    findOnPath('go'),
    process.env.GOROOT ? path.join(process.env.GOROOT, 'bin', process.platform === 'win32' ? 'go.exe' : 'go') : undefined,
    '/usr/local/go/bin/go',
  ];
  return candidates.find((file): file is string => !!file && isExecutable(file));
}

/** Builds the CLI with `go install` into the cache folder, trying each known-good version; returns its path. */
async function buildWithGo(go: string, log: (msg: string) => void): Promise<string> {
  const binDir = path.dirname(cachedTemporalCliPath());
  fs.mkdirSync(binDir, { recursive: true });
  const failures: string[] = [];
  for (const version of temporalCliVersions) {
    // Build into a private folder and rename, so nobody ever sees a half-written binary.
    const buildBin = fs.mkdtempSync(path.join(binDir, '.build-'));
    try {
      log(`building Temporal CLI ${version} with ${go} install ${temporalCliPackage}@${version}; the first build takes several minutes`);
      const env: NodeJS.ProcessEnv = { ...process.env, GOBIN: buildBin };
      env.CGO_ENABLED ??= '0'; // pure-Go build: no C compiler needed
      await runLogged(go, ['install', `${temporalCliPackage}@${version}`], { env, log, heartbeat: `still building Temporal CLI ${version}` });
      const built = path.join(buildBin, exeName());
      if (!isExecutable(built)) throw new Error(`go install finished but ${built} is missing`);
      fs.renameSync(built, cachedTemporalCliPath());
      log(`Temporal CLI ${version} built: ${cachedTemporalCliPath()}`);
      return cachedTemporalCliPath();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`${version}: ${message}`);
      log(`building Temporal CLI ${version} failed${version === temporalCliVersions.at(-1) ? '' : '; trying an older version'}`);
    } finally {
      fs.rmSync(buildBin, { recursive: true, force: true });
    }
  }
  throw new Error(`could not build the Temporal CLI with Go:\n${failures.join('\n')}`);
}

/** Platform and architecture names of Temporal's download site, or undefined when it has no build. */
function downloadPlatform(): { platform: string; arch: string } | undefined {
  const platform = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  return platform && arch ? { platform, arch } : undefined;
}

/** Finds a file named `name` anywhere under `dir`. */
function findFile(dir: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Downloads and unpacks the official release archive into the cache folder; returns its path. */
async function download(log: (msg: string) => void): Promise<string> {
  const target = downloadPlatform();
  if (!target) throw new Error(`Temporal publishes no CLI build for ${process.platform}/${process.arch}`);
  const version = temporalCliVersions[0]!;
  const url = `https://temporal.download/cli/archive/${version}?platform=${target.platform}&arch=${target.arch}`;
  log(`downloading Temporal CLI ${version} from ${url}`);
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
  if (!response.ok) throw new Error(`download of ${url} failed: HTTP ${response.status} ${response.statusText}`);
  const binDir = path.dirname(cachedTemporalCliPath());
  fs.mkdirSync(binDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(binDir, '.download-'));
  try {
    const archive = path.join(work, target.platform === 'windows' ? 'temporal.zip' : 'temporal.tar.gz');
    fs.writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    // bsdtar (macOS, Windows 10+) also reads zip archives.
    await runLogged('tar', ['-xf', archive, '-C', unpacked], { log, heartbeat: 'still unpacking' });
    const binary = findFile(unpacked, exeName());
    if (!binary) throw new Error(`the archive from ${url} holds no ${exeName()}`);
    fs.chmodSync(binary, 0o755);
    fs.renameSync(binary, cachedTemporalCliPath());
    log(`Temporal CLI ${version} downloaded: ${cachedTemporalCliPath()}`);
    return cachedTemporalCliPath();
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** What to install, for the error raised when no CLI can be found, built or downloaded. */
function installInstructions(reasons: string[]): string {
  return [
    'The Temporal CLI (it runs the local Temporal dev server) was not found and could not be built or downloaded.',
    ...reasons.map((r) => `  - ${r}`),
    'Install one of these, then run the command again:',
    '  1. the Temporal CLI on PATH (https://docs.temporal.io/cli#install, e.g. `brew install temporal`,',
    '     or unpack https://temporal.download/cli/archive/latest?platform=linux&arch=amd64 into a folder on PATH),',
    '     or point HALFLIFE_TEMPORAL_CLI at an existing `temporal` binary;',
    `  2. or Go 1.21 or newer (https://go.dev/dl/), and Halflife builds it once with \`go install ${temporalCliPackage}@${temporalCliVersions[0]}\`;`,
    '  3. or point TEMPORAL_ADDRESS at a Temporal server you already run.',
  ].join('\n');
}

/**
 * Returns the path of a `temporal` binary, building (Go) or downloading it into the cache folder
 * when needed. A lock file in the cache folder makes concurrent callers wait for one build.
 */
export async function ensureTemporalCli(options: EnsureTemporalCliOptions = {}): Promise<string> {
  const log = options.log ?? (() => undefined);
  const found = findTemporalCli();
  if (found) return found;
  const lockFile = path.join(cacheDir(), 'temporal-cli.lock');
  return withFileLock(
    lockFile,
    async () => {
      // Another process may have finished a build while we waited for the lock.
      const cached = cachedTemporalCliPath();
      if (isExecutable(cached)) return cached;
      const reasons: string[] = [];
      const go = options.build === false ? undefined : findGo();
      if (go) {
        try {
          return await buildWithGo(go, log);
        } catch (err) {
          reasons.push(err instanceof Error ? err.message : String(err));
        }
      } else {
        reasons.push(options.build === false ? 'building with Go is disabled' : 'no `go` on PATH or in /usr/local/go/bin');
      }
      if (options.download !== false) {
        try {
          return await download(log);
        } catch (err) {
          reasons.push(`download: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      throw new Error(installInstructions(reasons));
    },
    { log, what: 'the Temporal CLI build lock' },
  );
}
