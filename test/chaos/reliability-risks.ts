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
type Durability = { with_redis?: { writeAheadUs?: Stat; durableMs?: Stat }; without_redis?: { durableMs?: Stat }; credentials?: number; seconds?: number };
const ms = (x?: Stat, unit = 'ms') => {
  const r = (v: number) => (unit === 'µs' ? Math.round(v) : Math.round(v * 10) / 10);
  return x ? `${r(x.p50)} ${unit} (p50), ${r(x.p99)} ${unit} (p99), ${r(x.max)} ${unit} (max) over ${x.n} answers` : '(not measured)';
};

/** The residual risks' block: what a full run and the durability benchmark measured of the known risks. */
export function risksMarkdown(result: SuiteResult, meta: ReportMeta): string {
  const { workerKills: k, providerOutage: p, redisOutage: r, temporalRestart: t } = result.scenarios;
  const dur = meta.durability as Durability | undefined;
  const unread = k?.losses.filter((l) => l.cause === 'in_flight' && l.writeAhead === 'absent').length ?? 0;
  const perAimed = k ? k.losses.filter((l) => l.cause === 'in_flight' && l.killClass === 'in_flight').length / Math.max(1, k.killsByClass.in_flight ?? 0) : 0;
  const lines = [
    '## Residual risks, measured',
    '',
    'Accepted losses are counted apart from unexplained ones everywhere above; these are the risks a deployment keeps.',
    '',
    '1. **A SIGKILL while a refresh is in flight to a provider without a reuse grace window** loses that grant: the provider',
    '   rotated in an answer nobody read, the retry presents the old refresh token, and a strict provider revokes the grant. The',
    '   credential ends `reauth_required` with the honest error `invalid_grant_after_crash` and needs a new grant (an operator',
    '   reconnects it). Every request in flight at the instant is exposed, and so is an answer whose bytes had not been read yet.',
  ];
  if (k) {
    lines.push(
      `   Measured in scenario 1: ${k.lostInFlight} grants lost in flight over ${k.kills} kills (${JSON.stringify(k.lostInFlightByKillClass)} by kill class;`,
      `   ${perAimed.toFixed(1)} per kill aimed at a request the provider held for 1.5 s, with ${k.credentials} credentials refreshing every ${Math.round(meta.options.kills.lifetimeS / 2)} s;`,
      `   ${unread} of them answers the provider had written that the killed worker never read: no write-ahead entry); ${k.randomKillsWithRequestInFlight} of ${k.killsByClass.random ?? 0} random`,
      '   kills found a request in flight (a loopback provider answers in milliseconds). SIGTERM loses nothing (scenario 2); providers with a grace',
      '   window lose nothing (test/integration/crash-window.test.ts).',
    );
  }
  lines.push(
    `2. **The crash window after the answer arrived**${dur ? ` (\`bench/durability.ts\`, ${dur.credentials} credentials for ${dur.seconds} s, during the run)` : ''}: with Redis, the answer's encrypted`,
    `   write-ahead entry is on the socket ${ms(dur?.with_redis?.writeAheadUs, 'µs')} after its last byte; the heartbeat that makes it durable in`,
    `   Temporal is acknowledged after ${ms(dur?.with_redis?.durableMs)}. Without Redis the window is the heartbeat's: ${ms(dur?.without_redis?.durableMs)}.`,
    '   A kill inside it is a kill in flight; so is Redis losing its memory at the same instant as the worker dies.',
  );
  if (p || k) {
    const rounding = (p?.readers.expiredServedInRounding ?? 0) + (k?.readers.expiredServedInRounding ?? 0);
    const late = Math.max(0, ...[...(p?.readers.expiredServedExamples ?? []), ...(k?.readers.expiredServedExamples ?? [])].filter((e) => e.inRounding).map((e) => e.lateByMs));
    lines.push(
      '3. **`expires_in` is whole seconds.** The provider stores an expiry truncated to its second; Halflife dates a token from the instant it sent',
      `   the request plus \`expires_in\`, up to a second later. When refreshes fail (scenario 5) the last token is served into that second: ${rounding} reads`,
      `   in this run were answered with a token the provider had expired less than a second before (the latest ${late} ms among those listed), none past Halflife's`,
      '   own expiry. Counting the lifetime as `expires_in` − 1 s would close it.',
    );
  }
  if (r) lines.push(`4. **Redis comes back empty**: it is filled again by each credential's next publication, not at once: ${Math.round(r.repopulatedWithinMs / 1000)} s for ${r.credentials - r.revoked} credentials with ${meta.options.redis.lifetimeS} s tokens. Until then reads are workflow queries (p99 ${r.readersDuring.latencyMs.p99} ms during the outage), which need a running worker.`);
  if (t) lines.push(`5. **Temporal down**: reads go on from Redis (${t.readersWhileDown.reads} reads in ${Math.round(t.downMs / 1000)} s, ${t.readersWhileDown.errors} errors), but nothing refreshes: a token that expires during the outage is not replaced until Temporal is back (${Math.round(t.resumedWithinMs / 1000)} s after the restart for all ${t.credentials} here).`);
  lines.push(
    '6. **A dead worker is noticed after the 10 s heartbeat timeout** (its cached workflows\' tasks after the sticky queue timeout), plus a worker',
    '   start (2–5 s on this machine): a refresh caught by a kill lands that much later. Tokens living less than about twice that can expire first;',
    '   readers are then answered 503 (no valid token exists), never a token past Halflife\'s own expiry.',
  );
  return lines.join('\n');
}
