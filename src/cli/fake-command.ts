/**
 * `halflife fake <provider>`: runs a fake provider on loopback until Ctrl-C and writes the body
 * that registers a credential against it, so every provider can be tried end to end offline.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { providerNames } from '../api/schemas';
import type { ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { startFakeProvider } from '../fakes/fake-provider';
import { integerOption } from './options';
import type { Output } from './output';

/** Adds `fake` to `program`. */
export function addFakeCommand(program: Command, output: () => Output): void {
  program
    .command('fake')
    .description('run a fake provider on 127.0.0.1 and write a registration body for it (for trying Halflife offline)')
    .argument('<provider>', providerNames.join(' | '))
    .option('--port <port>', 'port to listen on (default: any free port)', integerOption('--port', 1))
    .option('--lifetime <seconds>', 'lifetime of the tokens it issues', integerOption('--lifetime', 1), 120)
    .option('--stable', 'wechat: register with stable_token')
    .option('-w, --write <path>', 'write the registration body to this file (mode 0600) instead of stdout')
    .action(async (provider: string, opts: { port?: number; lifetime: number; stable?: boolean; write?: string }) => {
      if (!providerNames.includes(provider as ProviderName)) throw new InvalidConfigError('provider', `must be one of ${providerNames.join(', ')}`);
      const fake = await startFakeProvider(provider as ProviderName, { port: opts.port, lifetimeS: opts.lifetime, stable: opts.stable });
      const body = `${JSON.stringify(fake.body, null, 2)}\n`;
      const out = output();
      if (opts.write) {
        fs.writeFileSync(`${opts.write}.tmp`, body, { mode: 0o600 });
        fs.renameSync(`${opts.write}.tmp`, opts.write);
      }
      out.result(
        { provider, url: fake.url, ...(opts.write ? { body_file: opts.write } : { body: fake.body }) },
        opts.write ? `fake ${provider} provider on ${fake.url}; registration body in ${opts.write}` : body.trimEnd(),
      );
      out.note(`fake ${provider} provider listening on ${fake.url}, tokens live ${opts.lifetime}s; Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await fake.close();
    });
}
