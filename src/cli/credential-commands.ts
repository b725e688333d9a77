/**
 * The CLI's credential commands: `register`, `get`, `refresh`, `reauthorize`, `describe`, `list`,
 * `revoke`. They take and print the HTTP API's shapes (`--json`), so a body that works with
 * `curl` works here too.
 */
import type { Command } from 'commander';
import { credentialStatuses, type CredentialDescription } from '../credential';
import type { ConnectSessionView } from '../connect/messages';
import { InvalidConfigError, isHalflifeError } from '../errors';
import { sessionResponse } from '../api/connect-responses';
import { connectRows, connectSummary } from './connect-lines';
import { connectClientFor } from './connect-session';
import { inApiTerms, reauthorizeFrom, registerOrReplace } from '../api/credential-actions';
import { describeResponse, summaryResponse, tokenResponse } from '../api/responses';
import { providerNames } from '../api/schemas';
import { readJsonObject } from './input';
import { integerOption } from './options';
import { duration, relativeTime, table, type Output } from './output';
import { withClient } from './session';

/** Human lines for a description (and its pending connect sessions). */
function describeLines(d: CredentialDescription, now = Date.now(), connect: readonly ConnectSessionView[] = []): string[] {
  const rows: string[][] = [
    ['id', d.id],
    ['provider', d.provider],
    ['status', d.status],
    ['version', String(d.version)],
  ];
  if (d.expiresAt) rows.push(['expires', `${new Date(d.expiresAt).toISOString()} (${relativeTime(d.expiresAt, now)})`]);
  if (d.nextRefreshAt) rows.push(['next refresh', `${new Date(d.nextRefreshAt).toISOString()} (${relativeTime(d.nextRefreshAt, now)})`]);
  if (d.refreshTokenExpiresAt) rows.push(['refresh token', `expires ${new Date(d.refreshTokenExpiresAt).toISOString()} (${relativeTime(d.refreshTokenExpiresAt, now)}): re-connect before`]);
  if (d.clientSecretExpiresAt) rows.push(['client secret', `expires ${new Date(d.clientSecretExpiresAt).toISOString()} (${relativeTime(d.clientSecretExpiresAt, now)}): rotate it before`]);
  if (d.lastRefreshAt) rows.push(['last refresh', `${new Date(d.lastRefreshAt).toISOString()} (${relativeTime(d.lastRefreshAt, now)})`]);
  if (d.lastError) rows.push(['last error', `${d.lastError.kind} ${d.lastError.code}: ${d.lastError.message}`]);
  const c = d.counts;
  rows.push(['counts', `${c.refreshes} refreshes, ${c.upstreamCalls} upstream calls, ${c.failures} failures, ${c.coalesced} coalesced, ${c.runs} runs`]);
  rows.push(['quota', `${d.quota.callsLast24h}/${d.quota.maxPerDay} calls in 24h, min interval ${duration(d.quota.minIntervalMs)}`]);
  rows.push(['policy', `refresh at ${d.policy.refreshRatio} of the lifetime`]);
  for (const [key, value] of Object.entries(d.settings)) rows.push([key, String(value)]);
  rows.push(...connectRows(connect, now));
  return table(rows);
}

/** Adds the credential commands to `program`; `output()` gives the output chosen by the global flags. */
export function addCredentialCommands(program: Command, output: () => Output): void {
  program
    .command('register')
    .description('register a credential from a JSON body (the HTTP API\'s PUT body; see docs/providers.md)')
    .argument('<id>', 'credential id')
    .requiredOption('-f, --file <path>', 'JSON body, or - for stdin (keeps secrets off the command line)')
    .option('--replace', 'replace the configuration and grant of an existing credential')
    .action(async (id: string, opts: { file: string; replace?: boolean }) => {
      const body = await readJsonObject(opts.file, '--file');
      await withClient(async (client) => {
        const result = await registerOrReplace(client, id, body, { replace: opts.replace === true });
        const token = tokenResponse(result.token);
        output().result(
          { id, provider: result.provider, created: result.created, token, ...(result.ignored.length ? { ignored_fields: result.ignored } : {}) },
          `${result.result === 'created' ? 'registered' : result.result === 'unchanged' ? 'already registered so' : 'replaced'} ${id}: version ${token.version}, ${token.status}, expires ${relativeTime(result.token.expiresAt)}`,
        );
      });
    });

  program
    .command('get')
    .description('print a valid access token (never an expired one)')
    .argument('<id>', 'credential id')
    .option('--min-ttl <seconds>', 'refresh first if the token has less than this left', integerOption('--min-ttl'))
    .action(async (id: string, opts: { minTtl?: number }) => {
      await withClient(async (client) => {
        const token = await client.getToken(id, opts.minTtl === undefined ? {} : { minTtlMs: opts.minTtl * 1000 });
        output().result(tokenResponse(token), token.accessToken);
      });
    });

  program
    .command('refresh')
    .description('ask for a new token (joins a refresh in flight; respects the quota)')
    .argument('<id>', 'credential id')
    .option('--stale-version <n>', 'the version that failed for you; a newer one is returned without a refresh', integerOption('--stale-version'))
    .action(async (id: string, opts: { staleVersion?: number }) => {
      await withClient(async (client) => {
        const outcome = await client.refresh(id, opts.staleVersion === undefined ? {} : { staleVersion: opts.staleVersion });
        const why = outcome.reason ? ` (${outcome.reason.replace(/_/g, ' ')})` : '';
        output().result(
          { ...tokenResponse(outcome.token), refreshed: outcome.refreshed, ...(outcome.reason ? { reason: outcome.reason } : {}) },
          `${outcome.refreshed ? 'refreshed' : 'not refreshed'}${why}: version ${outcome.token.version}, expires ${relativeTime(outcome.token.expiresAt)}`,
        );
      });
    });

  program
    .command('reauthorize')
    .description('give a credential a new grant: {"refresh_token": "..."} or a full registration body')
    .argument('<id>', 'credential id')
    .option('-f, --file <path>', 'JSON body, or - for stdin; without it the credential retries with what it has', undefined)
    .action(async (id: string, opts: { file?: string }) => {
      const body = opts.file ? await readJsonObject(opts.file, '--file') : {};
      await withClient(async (client) => {
        const token = await reauthorizeFrom(client, id, body);
        output().result(tokenResponse(token), `reauthorized ${id}: version ${token.version}, ${token.status}, expires ${relativeTime(token.expiresAt)}`);
      });
    });

  program
    .command('describe')
    .description('status, times, counts, quota and settings of a credential (no secrets)')
    .argument('<id>', 'credential id')
    .action(async (id: string) => {
      await withClient(async (client, config) => {
        const connect = connectClientFor(client, config);
        const pending = () => connect.pending(id).catch(() => []);
        let d: CredentialDescription;
        try {
          d = await client.describe(id);
        } catch (err) {
          // A credential that a pending connect link will create: say so beside the not-found error.
          if (isHalflifeError(err, 'CredentialNotFoundError')) for (const view of await pending()) output().note(`${id} is not registered yet; connect ${connectSummary(view)}`);
          throw err;
        }
        const sessions = await pending();
        output().result({ ...describeResponse(d), ...(sessions.length ? { connect: sessions.map(sessionResponse) } : {}) }, describeLines(d, Date.now(), sessions));
      });
    });

  program
    .command('list')
    .description('running credentials (a visibility query; new ones appear within a second or so)')
    .option('--status <status>', `one of ${credentialStatuses.join(', ')}`)
    .option('--provider <provider>', `one of ${providerNames.join(', ')}`)
    .action(async (opts: { status?: string; provider?: string }) => {
      if (opts.status && !credentialStatuses.includes(opts.status as never)) throw new InvalidConfigError('--status', `must be one of ${credentialStatuses.join(', ')}`);
      if (opts.provider && !providerNames.includes(opts.provider as never)) throw new InvalidConfigError('--provider', `must be one of ${providerNames.join(', ')}`);
      await withClient(async (client) => {
        const rows = await inApiTerms(client.list(opts as Parameters<typeof client.list>[0]));
        const now = Date.now();
        output().result(
          { credentials: rows.map(summaryResponse) },
          rows.length === 0
            ? 'no credentials'
            : table([
                ['ID', 'PROVIDER', 'STATUS', 'EXPIRES'],
                ...rows.map((r) => [r.id, r.provider ?? '-', r.status ?? '-', r.expiresAt ? relativeTime(r.expiresAt, now) : '-']),
              ]),
        );
      });
    });

  program
    .command('revoke')
    .description('end a credential: its workflow completes and its cached token is deleted')
    .argument('<id>', 'credential id')
    .option('--reason <text>', 'recorded in the workflow history')
    .action(async (id: string, opts: { reason?: string }) => {
      await withClient(async (client) => {
        const d = await client.revoke(id, opts.reason ?? 'revoked with the halflife CLI');
        output().result(describeResponse(d), `revoked ${id} at version ${d.version}`);
      });
    });
}

