/** The CLI's long-running commands: `start` (what `npm start` runs), `worker` and `api`. */
import type { Command } from 'commander';
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { generateKey } from '../codec/keyring';
import { loadConfig, type HalflifeConfig } from '../config';
import { localTemporalServer } from '../dev/local-temporal';
import { createLogger, type Logger } from '../logger';
import { startService, type ServiceParts } from '../service/start';
import type { Output } from './output';

/** Readable log lines on a terminal; JSON lines (for log collectors) everywhere else. */
function logDestination(): DestinationStream | undefined {
  if (!process.stdout.isTTY || process.env.HALFLIFE_LOG_FORMAT === 'json') return undefined;
  return pretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' });
}

/** Runs the service parts until a signal stops them. */
async function run(parts: (config: HalflifeConfig, logger: Logger) => ServiceParts): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, logDestination());
  const service = await startService(config, logger, parts(config, logger));
  await service.done;
}

/** Adds `start`, `worker`, `api` and `keygen` to `program`. */
export function addServiceCommands(program: Command, output: () => Output): void {
  program
    .command('start')
    .description('run the whole service: the dev server (unless TEMPORAL_ADDRESS is set; on HALFLIFE_TEMPORAL_PORT, UI on HALFLIFE_UI_PORT), a worker and the HTTP API (HALFLIFE_API_PORT)')
    .action(() => run((config, logger) => ({ temporalServer: localTemporalServer(config, logger) })));

  program
    .command('worker')
    .description('run a credential worker against TEMPORAL_ADDRESS (as many as you like)')
    .action(() => run(() => ({ api: false })));

  program
    .command('api')
    .description('run the HTTP API (and the Web UI codec endpoint) against TEMPORAL_ADDRESS')
    .action(() => run(() => ({ worker: false })));

  program
    .command('keygen')
    .description('print a new encryption key for HALFLIFE_ENCRYPTION_KEYS (put it first to encrypt with it)')
    .argument('[id]', 'key id (letters, digits, _ and -)', `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`)
    .action((id: string) => {
      const key = generateKey(id);
      output().result({ key }, key);
    });
}
