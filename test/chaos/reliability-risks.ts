/**
 * The soak's and the residual risks' blocks of RELIABILITY.md, from a run's figures and
 * `bench/durability.ts`'s measurement of the crash window.
 */
import { markdownTable } from '../../bench/measure';
import { machineLines } from '../../bench/report';
import type { ReportMeta } from './reliability-md';
import type { SoakFigures } from './scenarios/soak';
import type { SuiteResult } from './suite';

const json = (v: unknown) => `\`${JSON.stringify(v)}\``;

/** The soak's block. */
export function soakMarkdown(f: SoakFigures, meta: ReportMeta): string {
  const every = (step: number) => f.rss.samples.filter((_, i) => i % step === 0 || i === f.rss.samples.length - 1);
  const rows = every(Math.max(1, Math.ceil(f.rss.samples.length / 12))).map((x) => [`${Math.round(x.t / 60)} min`, x.workersMiB.map((m) => m.toFixed(0)).join(', '), (x.apiMiB ?? 0).toFixed(0)]);
  return [
    '## Soak: `npm run chaos -- --soak 30m`',
    '',
    `${f.credentials} credentials with ${f.lifetimeS} s tokens behind a fault proxy, readers on all of them every 2 s, and one fault from scenarios 1–8`,
    'every minute, chosen at random: SIGKILL, SIGTERM with a replacement, Temporal restart (15 s), Redis outage (20 s), provider',
    'outage (20 s of 503), a grant revoked at the provider (the operator reauthorizes it), a storm (60 callers), a pass of the',
    'bad-input corpus. Worker and API resident memory sampled every 30 s.',
    '',
    `Last soak: ${meta.startedAt.toISOString()}, ${Math.round(f.durationS / 60)} min.`,
    '',
    ...machineLines(meta.versions),
    '',
    markdownTable(['figure', 'value'], [
      ['faults', json(f.faults)],
      ['refreshes at the provider', f.refreshesAtProvider.toLocaleString('en-US')],
      ['lost (other than in flight) / lost in flight', `${f.lost} / ${f.lostInFlight}`],
      ['replays at the provider', String(f.replaysAtProvider)],
      ['reauthorized by the operator (revoked grants and losses)', String(f.reauthorized)],
      ['reads', `${f.readers.reads.toLocaleString('en-US')}: ${json(f.readers.byStatus)} ${json(f.readers.byCode)}`],
      ['5xx while a valid token existed', String(f.readers.fiveXxWithValidToken)],
      ['expired tokens served (by Halflife\'s own expiry)', `${f.readers.expiredServed} (${f.readers.expiredServedByHalflifeClock})`],
      ['wedged workflows', String(f.wedged)],
      ['not refreshed at the end', String(f.notRecovered.length)],
      ['crashes', String(f.crashes)],
      ['bad-input 5xx', String(f.badInput5xx)],
      ['storm upstream calls', json(f.stormUpstreamCalls)],
      ['longest run history (events)', f.maxEventsPerRun.toLocaleString('en-US')],
      ['worker RSS first / max / last (MiB)', `${f.rss.workerMiB.first} / ${f.rss.workerMiB.max} / ${f.rss.workerMiB.last}`],
      ['API RSS first / max / last (MiB)', `${f.rss.apiMiB.first} / ${f.rss.apiMiB.max} / ${f.rss.apiMiB.last}`],
    ]),
    '',
    'Memory over time:',
    '',
    markdownTable(['time', 'worker(s) MiB', 'API MiB'], rows),
  ].join('\n');
}

type Stat = { p50: number; p99: number; max: number; n: number };

/** The residual risks' block: what a full run and the durability benchmark measured of the known risks. */
export function risksMarkdown(result: SuiteResult, meta: ReportMeta): string {
  const k = result.scenarios.workerKills;
  const p = result.scenarios.providerOutage;
  const r = result.scenarios.redisOutage;
  const dur = meta.durability as { with_redis?: { writeAheadUs?: Stat; durableMs?: Stat }; without_redis?: { durableMs?: Stat }; credentials?: number; seconds?: number } | undefined;
  const inFlightKills = k?.killsByClass.in_flight ?? 0;
  const lines = [
    '## Residual risks, measured',
    '',
    '1. **A SIGKILL while a refresh is in flight to a provider without a reuse grace window** loses that grant (the provider',
    '   rotated in an answer nobody read; the retry is a replay and a strict provider revokes the grant). The credential says',
    '   so (`invalid_grant_after_crash`) and needs a new grant. Every request in flight at the instant is exposed.',
  ];
  if (k) {
    lines.push(`   Measured in scenario 1: ${k.lostInFlight} grants lost in flight over ${k.kills} kills (${inFlightKills} aimed at a request held 1.5 s by the provider,`, `   ${JSON.stringify(k.lostInFlightByKillClass)} by class); ${k.randomKillsWithRequestInFlight} of ${k.killsByClass.random ?? 0} random kills found a request in flight with ${k.credentials} credentials refreshing every ${Math.round(meta.options.kills.lifetimeS / 2)} s`, '   (a loopback provider answering in milliseconds). SIGTERM loses nothing (scenario 2); grace-window providers lose nothing (test/integration/crash-window.test.ts).');
  }
  if (dur) {
    const wa = dur.with_redis?.writeAheadUs;
    const hb = dur.with_redis?.durableMs;
    const hbNo = dur.without_redis?.durableMs;
    lines.push(
      '2. **The crash window after the answer arrived** (`npx tsx bench/durability.ts`' + (dur.credentials ? `, ${dur.credentials} credentials for ${dur.seconds} s` : '') + '): with Redis, the answer\'s',
      `   encrypted write-ahead is on the socket ${wa ? `${wa.p50} µs (p50), ${wa.p99} µs (p99), ${wa.max} µs (max)` : '(not measured)'} after its last byte; the heartbeat is`,
      `   acknowledged after ${hb ? `${hb.p50} ms (p50), ${hb.p99} ms (p99), ${hb.max} ms (max)` : '(not measured)'}. Without Redis the window is the heartbeat's:`,
      `   ${hbNo ? `${hbNo.p50} ms (p50), ${hbNo.p99} ms (p99), ${hbNo.max} ms (max)` : '(not measured)'}; a kill inside it is like a kill in flight. Redis losing its memory at the same instant as the worker also reopens it.`,
    );
  } else {
    lines.push('2. **The crash window after the answer arrived**: run `npx tsx bench/durability.ts` (not measured in this run).');
  }
  if (p) {
    lines.push(
      `3. **Expiry dated from \`expires_in\` in whole seconds.** Providers truncate \`expires_in\`; Halflife dates a token at the answer's arrival plus`,
      `   \`expires_in\`, so its \`expires_at\` can be up to a second later than the provider's. When refreshes fail (scenario 5), the last token is`,
      `   served into that second: ${p.readers.expiredServed} reads were answered with a token the provider had already expired (the latest ${Math.max(0, ...p.readers.expiredServedExamples.map((e) => e.lateByMs))} ms late among those listed), none past Halflife's own expiry.`,
    );
  }
  if (r) {
    lines.push(`4. **Redis comes back empty**: it is filled again by each credential's next publication (its next refresh), not at once: ${Math.round(r.repopulatedWithinMs / 1000)} s for ${r.credentials - r.revoked} credentials with ${meta.options.redis.lifetimeS} s tokens. Until then reads are workflow queries (latency above), which need a running worker.`);
  }
  lines.push(
    '5. **A dead worker is noticed after the 10 s heartbeat timeout**, and its cached workflows\' tasks after the sticky queue timeout: tokens',
    '   living less than about twice that (plus a worker start, ~2–3 s here) can expire before a crashed refresh is retried; readers are then',
    '   answered 503 `token_expired` (no valid token exists). The soak with 10 s tokens shows it.',
  );
  return lines.join('\n');
}
