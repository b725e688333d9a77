/**
 * The Temporal dev server of `halflife start` and `halflife demo` when no `TEMPORAL_ADDRESS` is
 * set: its SQLite database and log in the private state folder (written under umask 077), its ports
 * from the configuration (`HALFLIFE_TEMPORAL_PORT`, `HALFLIFE_UI_PORT`), the namespace and search
 * attributes Halflife needs, and its Web UI pointed at the API's codec endpoint.
 */
import path from 'node:path';
import type { HalflifeConfig } from '../config';
import type { Logger } from '../logger';
import { requiredSearchAttributes } from '../search-attributes';
import type { TemporalServer } from '../service/start';
import { ensureStateDir, privateUmask, stateFiles } from '../state-folder';
import { startDevServer } from './dev-server';
import { connectHost, formatAddress } from './net';

/** The codec endpoint URL the Web UI calls: the API's `/codec`, on an address a browser on this host can reach. */
export function codecEndpointOf(config: Pick<HalflifeConfig, 'apiHost' | 'apiPort'>): string {
  return `http://${formatAddress(connectHost(config.apiHost), config.apiPort)}/codec`;
}

/**
 * What `startService` needs to run against a local dev server (`ServiceParts.temporalServer`), or
 * undefined when the configuration names a Temporal server.
 */
export function localTemporalServer(config: HalflifeConfig, logger: Logger): (() => Promise<TemporalServer>) | undefined {
  if (config.temporalAddressGiven) return undefined;
  return () => {
    const dir = ensureStateDir(config.stateDir);
    return startDevServer({
      host: '127.0.0.1',
      port: config.devServer.port,
      uiPort: config.devServer.uiPort,
      dbFilename: path.join(dir, stateFiles.temporalDb),
      namespace: config.namespace,
      searchAttributes: { ...requiredSearchAttributes },
      uiCodecEndpoint: codecEndpointOf(config),
      logFile: path.join(dir, stateFiles.temporalLog),
      umask: privateUmask,
      log: (msg: string) => logger.info(msg),
    });
  };
}
