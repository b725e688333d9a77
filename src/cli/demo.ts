/**
 * `halflife demo`: the first thing to run. Starts (or reuses) the dev server and a worker, a fake
 * provider on loopback issuing short-lived tokens, registers a credential against it, and prints
 * every rotation as it happens: the version, the token's last four characters, its expiry, and the
 * fake's call and replay counters. Revokes the credential when done.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { registerOrReplace } from '../api/credential-actions';
import { providerNames } from '../api/schemas';
import { loadConfig } from '../config';
import type { CredentialDescription, ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { startFakeProvider } from '../fakes/fake-provider';
import { localTemporalServer } from '../dev/local-temporal';
import { createLogger } from '../logger';
import { openTokenClient } from '../service/connections';
import { startService } from '../service/start';
import { integerOption } from './options';
import { lastFour, relativeTime, type Output } from './output';

/** Options of `demo`. */
interface DemoOptions {
  provider: string;
  lifetime: number;
  cycles: number;
}

/** Adds `demo` to `program`. */
export function addDemoCommand(program: Command, output: () => Output): void {
  program
    .command('demo')
    .description('watch a credential rotate: dev server, worker, a fake provider and a short-lived token')
    .option('--provider <provider>', providerNames.join(' | '), 'oauth2')
    .option('--lifetime <seconds>', 'lifetime of the fake\'s tokens', integerOption('--lifetime', 2), 10)
    .option('--cycles <n>', 'stop after n refreshes (0: run until Ctrl-C)', integerOption('--cycles'), 3)
    .action(async (opts: DemoOptions) => {
      const provider = opts.provider as ProviderName;
      if (!providerNames.includes(provider)) throw new InvalidConfigError('--provider', `must be one of ${providerNames.join(', ')}`);
      await runDemo(output(), provider, opts.lifetime, opts.cycles);
    });
}

async function runDemo(out: Output, provider: ProviderName, lifetimeS: number, cycles: number): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  out.note('starting Temporal (dev server), a worker and a fake provider...');
  const service = await startService(config, logger, { api: false, handleSignals: false, temporalServer: localTemporalServer(config, logger) });
  const fake = await startFakeProvider(provider, { lifetimeS });
  const client = await openTokenClient({ ...config, temporal: { ...config.temporal, address: service.address } });
  let interrupted = false;
  const interrupt = () => (interrupted = true);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const id = `demo-${provider.replace(/_/g, '-')}-${randomBytes(3).toString('hex')}`;
  try {
    // A one-second cooldown: the default ten seconds would hold back refreshes of ten-second tokens.
    const result = await registerOrReplace(client, id, { ...fake.body, min_refresh_interval_s: 1 });
    out.note(`registered ${id} (${provider}) against the fake at ${fake.url}; tokens live ${lifetimeS}s, refreshed at half-life`);
    if (service.uiUrl) out.note(`Web UI: ${service.uiUrl}/namespaces/${config.namespace}/workflows/credential:${id}`);
    out.note(`in another terminal: npx halflife describe ${id}`);
    let lastVersion = -1;
    let refreshes = 0;
    const firstVersion = result.token.version;
    while (!interrupted && (cycles === 0 || refreshes < cycles)) {
      const d = await client.describe(id);
      if (d.version !== lastVersion) {
        lastVersion = d.version;
        refreshes = d.version - firstVersion;
        const token = await client.getToken(id);
        print(out, d, token.accessToken, fake.calls(), fake.replays());
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    out.note(`${fake.calls()} upstream call(s), ${fake.replays()} replayed refresh token(s); revoking ${id}`);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await client.revoke(id, 'demo finished').catch(() => undefined);
    await client.shutdown();
    await fake.close();
    await service.stop();
  }
}

function print(out: Output, d: CredentialDescription, accessToken: string, calls: number, replays: number): void {
  const now = Date.now();
  out.result(
    {
      id: d.id,
      version: d.version,
      status: d.status,
      access_token_last4: accessToken.slice(-4),
      expires_at: d.expiresAt ? new Date(d.expiresAt).toISOString() : undefined,
      next_refresh_at: d.nextRefreshAt ? new Date(d.nextRefreshAt).toISOString() : undefined,
      upstream_calls: calls,
      replays,
    },
    [
      `v${d.version}`,
      d.status,
      `token ${lastFour(accessToken)}`,
      d.expiresAt ? `expires ${relativeTime(d.expiresAt, now)}` : '',
      d.nextRefreshAt ? `next refresh ${relativeTime(d.nextRefreshAt, now)}` : '',
      `upstream calls ${calls}`,
      `replays ${replays}`,
    ]
      .filter(Boolean)
      .join('  '),
  );
}
