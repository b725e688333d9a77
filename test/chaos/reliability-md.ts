/**
 * Writes the chaos sections of RELIABILITY.md from a run's figures: the full run (scenarios 1–8)
 * between `<!-- chaos:run -->` markers, the soak between `<!-- chaos:soak -->`, the residual risks
 * between `<!-- chaos:risks -->`. Other sections (the bad-input test's) are kept as they are; new
 * chaos sections go before them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { machineLines } from '../../bench/report';
import { markdownTable } from '../../bench/measure';
import { findingsMarkdown } from './reliability-findings';
import { risksMarkdown, soakMarkdown } from './reliability-risks';
import { scenarioSections } from './reliability-scenarios';
import type { ChaosOptions } from './options';
import type { SuiteResult } from './suite';

/** RELIABILITY.md at the repository root. */
export const reliabilityFile = path.join(__dirname, '..', '..', 'RELIABILITY.md');

/** What the report says about the run besides its figures. */
export interface ReportMeta {
  startedAt: Date;
  versions: { temporalCli: string; redisServer: string };
  options: ChaosOptions;
  /** `bench/durability.ts`'s JSON, when it ran. */
  durability?: Record<string, unknown>;
}

const n = (v: unknown) => Number(v).toLocaleString('en-US');
const table = (rows: [string, string, string?][]) => markdownTable(['figure', 'value', 'target'], rows.map(([a, b, c]) => [a, b, c ?? '']));

/** Replaces (or inserts before `## Bad input`) the block between `<!-- chaos:NAME -->` markers. */
export function writeBlock(name: string, markdown: string, file = reliabilityFile): void {
  const start = `<!-- chaos:${name} -->`;
  const end = `<!-- /chaos:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Reliability\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  let next: string;
  if (from >= 0 && to > from) next = `${current.slice(0, from)}${block}${current.slice(to + end.length)}`;
  else {
    const anchor = current.indexOf('\n## Bad input');
    next = anchor >= 0 ? `${current.slice(0, anchor)}\n${block}\n${current.slice(anchor)}` : `${current.trimEnd()}\n\n${block}\n`;
  }
  fs.writeFileSync(file, next);
}

/** The full run's block. */
export function runMarkdown(result: SuiteResult, meta: ReportMeta): string {
  const sum = result.summary;
  const out: string[] = [
    '## Fault injection: `npm run chaos`',
    '',
    'Test: `test/chaos/` (`npm run chaos`; one scenario: `npm run chaos -- --only 4`; sizes by flags, see `test/chaos/options.ts`).',
    'The run starts its own deployment: a Temporal dev server with its SQLite file, a Redis, the HTTP API as its own',
    'process (`halflife api`, `NODE_ENV=production`) and credential workers as child processes; providers are panva\'s',
    '`oidc-provider` with strict rotation (`test/peers/oidc-peer.ts`: a replayed refresh token revokes the whole grant),',
    'one per scenario. Readers read every credential\'s token through the API once a second; every token handed out',
    'is checked at the provider (introspection, and its real expiry as the provider stores it), so "expired served"',
    'counts reads answered with a token past the provider\'s expiry or Halflife\'s own. A lost credential is a grant the',
    'provider revoked; it is matched to the kill that lost it through the provider\'s request log: **lost in flight**',
    '(the kill landed between the request reaching the provider and its answer being written: no client can prevent',
    'that with a provider without a reuse grace window) or **lost** (every other loss: a product defect).',
    '',
    `Last full run: ${meta.startedAt.toISOString()}, ${Math.round(Number(sum.duration_s) / 60)} min.`,
    '',
    ...machineLines(meta.versions),
    '',
    table([
      ['kills (SIGKILL) / SIGTERMs', `${n(sum.kills)} / ${n(sum.sigterms)}`],
      ['credentials', n(sum.credentials)],
      ['credentials lost (other than in flight)', n(sum.credentials_lost), '0'],
      ['lost in flight (strict provider, no grace)', n(sum.lost_in_flight), 'measured'],
      ['replays seen by the provider', n(sum.replays_at_provider), '= losses'],
      ['expired tokens served (all / past Halflife\'s own expiry / in the second `expires_in` rounds away)', `${n(sum.expired_tokens_served)} / ${n(sum.expired_tokens_served_past_halflife_expiry)} / ${n(sum.expired_tokens_served_in_expires_in_rounding)}`, '0'],
      ['tokens dated more than 1 s after the provider\'s expiry', `${n(sum.misdated_tokens)}${Number(sum.misdated_tokens) ? ` (up to ${(Number(sum.misdated_by_ms_max) / 1000).toFixed(1)} s)` : ''}`, '0'],
      ['wedged workflows', n(sum.wedged_workflows), '0'],
      ['reader errors / 5xx (scenarios 1–4; 5: 5xx while a valid token existed)', `${n(sum.reader_errors)} / ${n(sum.reader_5xx)}`, '0 / 0'],
      ['failed reads of credentials lost in flight, until reauthorized (apart)', n(sum.reader_errors_excused_by_loss_in_flight)],
      ['reader errors during the Redis outage', n(sum.reader_errors_during_redis_outage), '0'],
      ['bad inputs tried / 5xx', `${n(sum.bad_inputs_tried)} / ${n(sum.bad_input_5xx)}`, '0 5xx'],
      ['crashes (worker or API exits nobody asked for)', n(sum.crashes), '0'],
      ['longest history of a run (events)', n(sum.max_events_per_run), '< 4,096'],
    ]),
    '',
  ];
  out.push(...scenarioSections(result, meta));
  return out.join('\n');
}

/** Rewrites the chaos blocks of RELIABILITY.md: the full run's and the risks (a full run), the soak's (a soak). */
export function writeReliability(result: SuiteResult, meta: ReportMeta): void {
  if (result.scenarios.workerKills && result.scenarios.providerOutage) {
    writeBlock('run', runMarkdown(result, meta));
    writeBlock('findings', findingsMarkdown(result));
    writeBlock('risks', risksMarkdown(result, meta));
  }
  if (result.scenarios.soak) writeBlock('soak', soakMarkdown(result.scenarios.soak, meta));
}
