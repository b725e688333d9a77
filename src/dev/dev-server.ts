/**
 * Starts the Temporal CLI dev server idempotently: reuses a Temporal frontend already listening on
 * the port (making sure the namespace and search attributes exist there), or spawns
 * `temporal server start-dev` and waits until its frontend, namespace and search attributes are usable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultNamespace } from '../defaults';
import { connectHost, formatAddress, isPortOpen, waitForPort } from './net';
import { rejectOnExit, startChildProcess, type ManagedChild } from './processes';
import { ensureTemporalCli } from './temporal-cli';
import { openConnection, prepareNamespace as prepare, type SearchAttributeTypeName, type StopCheck, type Wanted } from './temporal-namespace';

export type { SearchAttributeTypeName } from './temporal-namespace';

/**
 * The dynamic config every dev server here starts with. Eager activity dispatch: the server hands
 * the refresh activity to the worker in its answer to the workflow task that scheduled it (its
 * start recorded in the same write), instead of queueing it for a poll; a refresh then costs one
 * persistence write and a matching round trip less (BENCHMARKS.md, fleet). A Temporal cluster needs
 * the same key in its dynamic config (docs/operations.md).
 */
export const devServerDynamicConfig: readonly string[] = ['system.enableActivityEagerExecution=true'];

/** `defaults` with each key of `overrides` replacing the default's value. */
export function mergeDynamicConfig(defaults: readonly string[], overrides: readonly string[]): string[] {
  const key = (kv: string) => kv.slice(0, kv.indexOf('='));
  const replaced = new Set(overrides.map(key));
  return [...defaults.filter((kv) => !replaced.has(key(kv))), ...overrides];
}

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** Address the frontend (and UI) bind to. @default '127.0.0.1' */
  host?: string;
  /** Frontend gRPC port. @default 7233 */
  port?: number;
  /** Web UI port; `null` runs headless. @default port + 1000 */
  uiPort?: number | null;
  /** SQLite file for durable state; undefined keeps everything in memory. */
  dbFilename?: string;
  /**
   * `--sqlite-pragma` values for a file database. Write-ahead logging by default: with SQLite's
   * rollback journal the dev server fell behind at 200 credentials refreshing every 30 s (3.8
   * registrations/s, refreshes 8 s late at p99; with WAL 19-27/s and about 1 s, bench:fleet on this
   * project's 2-core machine). @default ['journal_mode=wal']
   */
  sqlitePragmas?: readonly string[];
  /** Namespace to create (and check). @default 'default' */
  namespace?: string;
  /** Custom search attributes the namespace must have, name → type. */
  searchAttributes?: Readonly<Record<string, SearchAttributeTypeName>>;
  /** Remote codec endpoint the Web UI uses to decode payloads. */
  uiCodecEndpoint?: string;
  /** Append the server's output to this file; without it the output is only kept for error messages. */
  logFile?: string;
  /** Progress messages. */
  log?: (msg: string) => void;
  /** The `temporal` binary; found (or built) with `ensureTemporalCli` when omitted. */
  temporalCli?: string;
  /**
   * Dynamic config of the server (`KEY=JSON`), over {@link devServerDynamicConfig}: a key given here
   * replaces the default's value (e.g. `system.enableActivityEagerExecution=false`).
   */
  dynamicConfig?: readonly string[];
  /** Extra arguments for `temporal server start-dev` (e.g. `--metrics-port N`). */
  extraArgs?: readonly string[];
  /** How long to wait for the server to become usable. @default 60000 */
  readyTimeoutMs?: number;
  /** Umask of the server process, for the files it creates (the database). @default this process's */
  umask?: number;
}

/** A running (or reused) dev server. */
export interface DevServerHandle {
  /** `host:port` of the frontend, for clients and workers. */
  address: string;
  /** The namespace that was checked. */
  namespace: string;
  /** The Web UI, when one runs. */
  uiUrl?: string;
  /** True when a server that was already listening is used (then `stop()` does nothing). */
  reused: boolean;
  /** Pid of the server this call started. */
  pid?: number;
  /** Stops the server this call started: SIGTERM, then SIGKILL after a deadline. */
  stop(): Promise<void>;
}

/** Uses the Temporal frontend already listening on `address`. */
async function reuse(address: string, uiUrl: string | undefined, wanted: Wanted, deadline: number, log: (msg: string) => void): Promise<DevServerHandle> {
  try {
    // Generous: a server another process just spawned may have its port open before it answers.
    const connection = await openConnection(address, Math.max(10_000, Math.min(20_000, deadline - Date.now())));
    await connection.close();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(`${address} is in use, but not by a Temporal frontend (getSystemInfo failed: ${detail}); stop that process or choose another port`, {
      cause: err,
    });
  }
  log(`reusing the Temporal server already listening on ${address}`);
  await prepare(address, wanted, deadline, true, log);
  return { address, namespace: wanted.namespace, uiUrl, reused: true, stop: async () => undefined };
}

/**
 * Starts (or reuses) a Temporal dev server and resolves once its frontend answers, the namespace is
 * usable and the search attributes are registered. See the module comment.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const namespace = opts.namespace ?? defaultNamespace;
  const searchAttributes = opts.searchAttributes ?? {};
  const log = opts.log ?? (() => undefined);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + readyTimeoutMs;
  const probeHost = connectHost(host);
  const address = formatAddress(probeHost, port);
  const wanted: Wanted = { namespace, searchAttributes };
  for (const name of Object.keys(searchAttributes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`search attribute name ${JSON.stringify(name)} is not an identifier`);
  }

  let uiPort = opts.uiPort === undefined ? port + 1000 : opts.uiPort;
  const uiUrlFor = (p: number | null) => (p === null ? undefined : `http://${formatAddress(probeHost, p)}`);

  if (await isPortOpen(probeHost, port, 1000)) {
    const uiOpen = uiPort !== null && (await isPortOpen(probeHost, uiPort, 500));
    return reuse(address, uiOpen ? uiUrlFor(uiPort) : undefined, wanted, deadline, log);
  }

  if (uiPort !== null && (await isPortOpen(probeHost, uiPort, 500))) {
    log(`port ${uiPort} for the Temporal Web UI is taken; starting the dev server without the UI`);
    uiPort = null;
  }

  const cli = opts.temporalCli ?? (await ensureTemporalCli({ log }));
  if (opts.dbFilename) fs.mkdirSync(path.dirname(path.resolve(opts.dbFilename)), { recursive: true });
  if (opts.logFile) fs.mkdirSync(path.dirname(path.resolve(opts.logFile)), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(port),
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(opts.dbFilename ? ['--db-filename', path.resolve(opts.dbFilename)] : []),
    ...(opts.dbFilename ? (opts.sqlitePragmas ?? ['journal_mode=wal']).flatMap((p) => ['--sqlite-pragma', p]) : []),
    ...(namespace === defaultNamespace ? [] : ['--namespace', namespace]),
    ...Object.entries(searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(opts.uiCodecEndpoint && uiPort !== null ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
    '--log-level',
    'warn',
    ...mergeDynamicConfig(devServerDynamicConfig, opts.dynamicConfig ?? []).flatMap((kv) => ['--dynamic-config-value', kv]),
    ...(opts.extraArgs ?? []),
  ];
  log(`starting Temporal dev server on ${address} (${opts.dbFilename ? `state in ${opts.dbFilename}` : 'in memory'}${opts.logFile ? `, log ${opts.logFile}` : ''})`);
  const child: ManagedChild = startChildProcess(cli, args, { logFile: opts.logFile, umask: opts.umask });
  const exited = rejectOnExit(child, 'the Temporal dev server');
  const stopCheck: StopCheck = () =>
    child.hasExited() ? new Error(`the Temporal dev server exited before it was ready. Last output:\n${child.outputTail()}`) : undefined;

  try {
    await waitForPort(probeHost, port, Math.max(0, deadline - Date.now()), { abort: exited });
    await prepare(address, wanted, deadline, false, log, stopCheck);
  } catch (err) {
    await child.stop(5_000);
    // Lost a race with another process that started a server on the same port: use that one.
    if (child.hasExited() && (await isPortOpen(probeHost, port, 1000))) {
      try {
        const uiOpen = uiPort !== null && (await isPortOpen(probeHost, uiPort, 500));
        return await reuse(address, uiOpen ? uiUrlFor(uiPort) : undefined, wanted, Math.max(deadline, Date.now() + 10_000), log);
      } catch {
        // fall through to the original error
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    const tail = message.includes('Last output:') ? '' : `\nLast output of the server:\n${child.outputTail()}`;
    throw new Error(`the Temporal dev server on ${address} did not become ready: ${message}${tail}`, { cause: err });
  }

  log(`Temporal dev server ready on ${address}${uiPort === null ? '' : `, Web UI ${uiUrlFor(uiPort)}`}`);
  return {
    address,
    namespace,
    uiUrl: uiUrlFor(uiPort),
    reused: false,
    pid: child.pid,
    stop: () => child.stop(15_000),
  };
}
