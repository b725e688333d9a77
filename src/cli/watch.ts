/**
 * `halflife watch`: the live status of every credential. On a terminal the table is redrawn in
 * place; otherwise (pipes, CI, logs) one line is printed per credential whenever its status or
 * version changes, as text or, with `--json`, as one JSON object per line.
 */
import type { Command } from 'commander';
import type { ConnectClient } from '../connect/connect-client';
import type { ConnectSessionView } from '../connect/messages';
import type { CredentialDescription } from '../credential';
import { isHalflifeError } from '../errors';
import type { OpenedTokenClient } from '../service/connections';
import { describeResponse, summaryResponse } from '../api/responses';
import { withDeadline } from '../client/deadline';
import type { CredentialSummary } from '../client/token-client';
import { sessionResponse } from '../api/connect-responses';
import { connectSummary } from './connect-lines';
import { connectClientFor } from './connect-session';
import { relativeTime, table, type Output } from './output';
import { withClient } from './session';

/** Options of `watch`. */
interface WatchOptions {
  interval: string;
  once?: boolean;
  /** Stop after this many polls (tests, scripts). */
  polls?: string;
}

/** A listed credential and, when its workflow answered, its description. */
interface WatchRow {
  summary: CredentialSummary;
  description?: CredentialDescription;
  /** Why the description is missing (e.g. no worker answered the query). */
  problem?: string;
  /** Pending connect sessions of this id (a row may be only that: a credential a link will create). */
  connect?: ConnectSessionView[];
}

/** How long a credential's workflow gets to answer `describe` (a query needs a running worker). */
const describeTimeoutMs = 3000;

/** Describes every listed credential (one that cannot be described is shown from the list alone), with the pending connect sessions. */
async function snapshot(client: OpenedTokenClient, connect: Pick<ConnectClient, 'pending'>): Promise<WatchRow[]> {
  const [rows, sessions] = await Promise.all([client.list(), connect.pending().catch(() => [] as ConnectSessionView[])]);
  const described = await Promise.all(
    rows.map(async (summary): Promise<WatchRow | undefined> => {
      try {
        return { summary, description: await withDeadline(client.describe(summary.id), describeTimeoutMs, () => new Error(`no answer within ${describeTimeoutMs} ms`)) };
      } catch (err) {
        if (isHalflifeError(err, 'CredentialNotFoundError')) return undefined; // ended in between
        return { summary, problem: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const found = described.filter((row): row is WatchRow => row !== undefined);
  for (const view of sessions) {
    const row = found.find((r) => r.summary.id === view.credentialId) ?? { summary: { id: view.credentialId } };
    if (!found.includes(row)) found.push(row);
    row.connect = [...(row.connect ?? []), view];
  }
  return found.sort((a, b) => a.summary.id.localeCompare(b.summary.id));
}

/** The table a terminal shows. */
function screen(rows: readonly WatchRow[], now: number): string {
  const header = `halflife watch: ${rows.length} credential(s), ${new Date(now).toISOString()} (Ctrl-C to stop)\n\n`;
  if (rows.length === 0) return `${header}no credentials\n`;
  const withConnect = rows.some((row) => row.connect?.length);
  const cells = rows.map(({ summary: s, description: d, problem, connect }) => [
    s.id,
    d?.provider ?? s.provider ?? '-',
    d?.status ?? s.status ?? (connect ? 'not registered' : '-'),
    d ? `v${d.version}` : '-',
    (d?.expiresAt ?? s.expiresAt) ? relativeTime((d?.expiresAt ?? s.expiresAt) as number, now) : '-',
    d?.nextRefreshAt ? relativeTime(d.nextRefreshAt, now) : '-',
    problem ? 'not answering (no worker?)' : (d?.lastError?.code ?? ''),
    ...(withConnect ? [connect?.map((view) => connectSummary({ ...view, url: undefined }, now)).join('; ') ?? ''] : []),
  ]);
  const head = ['ID', 'PROVIDER', 'STATUS', 'VERSION', 'EXPIRES', 'NEXT REFRESH', 'LAST ERROR', ...(withConnect ? ['CONNECT'] : [])];
  return `${header}${table([head, ...cells]).join('\n')}\n`;
}

/** The key that changes when a row is worth printing again. */
function rowKey(row: WatchRow): string {
  const connect = (row.connect ?? []).map((view) => `${view.handle}:${view.status}:${view.opened}`).join(',');
  return `${row.description ? `${row.description.status}:${row.description.version}` : `unanswered:${row.summary.status ?? ''}`}|${connect}`;
}

/** One change line for pipes. */
function changeLine(row: WatchRow, now: number): string {
  const d = row.description;
  const connect = (row.connect ?? []).map((view) => ` connect ${connectSummary(view, now)}`).join('');
  if (!d && row.connect && !row.problem) return `${new Date(now).toISOString()} ${row.summary.id} not registered yet${connect}`;
  if (!d) return `${new Date(now).toISOString()} ${row.summary.id} ${row.summary.status ?? '-'} not answering: ${row.problem ?? 'unknown'}`;
  const expires = d.expiresAt ? ` expires ${relativeTime(d.expiresAt, now)}` : '';
  const error = d.lastError ? ` last error ${d.lastError.code}` : '';
  return `${new Date(now).toISOString()} ${d.id} ${d.status} v${d.version}${expires}${error}${connect}`;
}

/** The JSON object of a row: the describe shape, or the list shape with the problem. */
function rowJson(row: WatchRow): unknown {
  const connect = row.connect?.length ? { connect: row.connect.map(sessionResponse) } : {};
  if (row.description) return { ...describeResponse(row.description), ...connect };
  return { ...summaryResponse(row.summary), ...(row.problem ? { describe_error: row.problem } : {}), ...connect };
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
      await withClient(async (client, config) => {
        const connect = connectClientFor(client, config);
        const seen = new Map<string, string>();
        for (let poll = 0; poll < maxPolls && !stopped; poll++) {
          const credentials = await snapshot(client, connect);
          const now = Date.now();
          if (redraw) {
            process.stdout.write(`\x1b[H\x1b[2J${screen(credentials, now)}`);
          } else {
            for (const row of credentials) {
              const key = rowKey(row);
              if (seen.get(row.summary.id) === key) continue;
              seen.set(row.summary.id, key);
              out.result(rowJson(row), changeLine(row, now));
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
