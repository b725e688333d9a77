/**
 * `halflife watch`: the live status of every credential. On a terminal the table is redrawn in
 * place; otherwise (pipes, CI, logs) one line is printed per credential whenever its status or
 * version changes, as text or, with `--json`, as one JSON object per line.
 */
import type { Command } from 'commander';
import type { CredentialDescription } from '../credential';
import { isHalflifeError } from '../errors';
import type { OpenedTokenClient } from '../service/connections';
import { describeResponse } from '../api/responses';
import { relativeTime, table, type Output } from './output';
import { withClient } from './session';

/** Options of `watch`. */
interface WatchOptions {
  interval: string;
  once?: boolean;
  /** Stop after this many polls (tests, scripts). */
  polls?: string;
}

/** Describes every listed credential (those that ended in between are left out). */
async function snapshot(client: OpenedTokenClient): Promise<CredentialDescription[]> {
  const rows = await client.list();
  const described = await Promise.all(
    rows.map((row) =>
      client.describe(row.id).catch((err: unknown) => {
        if (isHalflifeError(err, 'CredentialNotFoundError')) return undefined;
        throw err;
      }),
    ),
  );
  return described.filter((d): d is CredentialDescription => d !== undefined);
}

/** The table a terminal shows. */
function screen(credentials: readonly CredentialDescription[], now: number): string {
  const header = `halflife watch: ${credentials.length} credential(s), ${new Date(now).toISOString()} (Ctrl-C to stop)\n\n`;
  if (credentials.length === 0) return `${header}no credentials\n`;
  const rows = credentials.map((d) => [
    d.id,
    d.provider,
    d.status,
    `v${d.version}`,
    d.expiresAt ? relativeTime(d.expiresAt, now) : '-',
    d.nextRefreshAt ? relativeTime(d.nextRefreshAt, now) : '-',
    d.lastError ? `${d.lastError.code}` : '',
  ]);
  return `${header}${table([['ID', 'PROVIDER', 'STATUS', 'VERSION', 'EXPIRES', 'NEXT REFRESH', 'LAST ERROR'], ...rows]).join('\n')}\n`;
}

/** One change line for pipes. */
function changeLine(d: CredentialDescription, now: number): string {
  const expires = d.expiresAt ? ` expires ${relativeTime(d.expiresAt, now)}` : '';
  const error = d.lastError ? ` last error ${d.lastError.code}` : '';
  return `${new Date(now).toISOString()} ${d.id} ${d.status} v${d.version}${expires}${error}`;
}

/** Adds `watch` to `program`. */
export function addWatchCommand(program: Command, output: () => Output): void {
  program
    .command('watch')
    .description('live status of all credentials (redrawn in place on a terminal, one line per change otherwise)')
    .option('--interval <seconds>', 'seconds between polls', '2')
    .option('--once', 'print the current state once and exit')
    .option('--polls <n>', 'stop after n polls')
    .action(async (opts: WatchOptions) => {
      const intervalMs = Math.max(0.2, Number(opts.interval) || 2) * 1000;
      const maxPolls = opts.once ? 1 : opts.polls ? Math.max(1, Number(opts.polls) || 1) : Infinity;
      const out = output();
      const redraw = process.stdout.isTTY && !out.json && !opts.once;
      let stopped = false;
      const stop = () => (stopped = true);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await withClient(async (client) => {
        const seen = new Map<string, string>();
        for (let poll = 0; poll < maxPolls && !stopped; poll++) {
          const credentials = await snapshot(client);
          const now = Date.now();
          if (redraw) {
            process.stdout.write(`\x1b[H\x1b[2J${screen(credentials, now)}`);
          } else {
            for (const d of credentials) {
              const key = `${d.status}:${d.version}`;
              if (seen.get(d.id) === key) continue;
              seen.set(d.id, key);
              out.result(describeResponse(d), changeLine(d, now));
            }
            if (opts.once && credentials.length === 0) out.result({ credentials: [] }, 'no credentials');
          }
          if (poll + 1 < maxPolls) await sleepUnless(intervalMs, () => stopped);
        }
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
}

/** Waits `ms`, waking early when `done()` turns true. */
async function sleepUnless(ms: number, done: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}
