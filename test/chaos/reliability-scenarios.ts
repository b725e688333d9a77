/**
 * The per-scenario sections of RELIABILITY.md's full-run block (scenarios 1–8), from a run's figures.
 */
import { markdownTable } from '../../bench/measure';
import type { ReadFigures } from './readers';
import type { ReportMeta } from './reliability-md';
import type { SuiteResult } from './suite';

const n = (v: number) => v.toLocaleString('en-US');
const json = (v: unknown) => `\`${JSON.stringify(v)}\``;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const reads = (r: ReadFigures) => `${n(r.reads)} reads: ${Object.entries(r.byStatus).map(([k, v]) => `${k === '0' ? 'no answer' : k} × ${n(v)}`).join(', ')}${Object.keys(r.byCode).length ? ` (errors ${Object.entries(r.byCode).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}${r.excused ? `; ${n(r.excused)} failed reads of credentials lost in flight, until reauthorized (${Object.entries(r.excusedByCode).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`;
const table = (rows: [string, string, string?][]) => markdownTable(['figure', 'value', 'target'], rows.map(([a, b, c]) => [a, b, c ?? '']));
const expired = (r: ReadFigures) => `${r.expiredServed} (past Halflife's own expiry ${r.expiredServedByHalflifeClock}; in the second \`expires_in\` rounds away ${r.expiredServedInRounding})`;
const misdated = (r: ReadFigures) => `${r.misdatedTokens}${r.misdatedTokens ? `, by up to ${s(r.misdatedByMsMax)}` : ''}`;

/** The sections of scenarios 1–8 that ran. */
export function scenarioSections(result: SuiteResult, meta: ReportMeta): string[] {
  const { workerKills: k, rollingDeploy: d, temporalRestart: t, redisOutage: r, providerOutage: p, grantRevoked: g } = result.scenarios;
  const o = meta.options;
  const out: string[] = [];
  if (k) {
    out.push(
      '### 1. Worker SIGKILL',
      '',
      `${k.credentials} credentials (${o.kills.lifetimeS} s tokens, upstream timeout 3 s), one worker, killed ${k.kills} times: aimed at the instants of a`,
      'refresh through the worker\'s crash seam (`before_request`; `after_answer`: the worker kills itself inside the seam,',
      'microseconds after the answer\'s last byte, its write-ahead on the Redis socket; `after_save`: the answer acknowledged',
      'as heartbeat), at a request in flight (the provider waits 1.5 s after deciding, then the worker is killed), or at',
      `random (1–5 s after the previous worker was ready). A new worker starts after each kill. An operator (the run)`,
      'reauthorizes a credential whose reader is told `reauth_required`, with a new grant.',
      '',
      table([
        ['kills by class', json(k.killsByClass)],
        ['seam workers that did not reach their instant in time (killed at random instead)', String(k.seamMisses)],
        ['random kills that found a request in flight at the provider', `${k.randomKillsWithRequestInFlight} of ${k.killsByClass.random ?? 0}`],
        ['refreshes at the provider', n(k.refreshesAtProvider)],
        ['lost (by kill class)', `${k.lost} ${json(k.lostByKillClass)}`, '0'],
        ['lost in flight (by kill class)', `${k.lostInFlight} ${json(k.lostInFlightByKillClass)}`],
        ['replays at the provider', String(k.replaysAtProvider)],
        ['reauthorized by the operator', String(k.reauthorized)],
        ['readers', reads(k.readers)],
        ['5xx while a valid token existed', String(k.readers.fiveXxWithValidToken), '0'],
        ['expired tokens served', expired(k.readers), '0'],
        ['tokens dated more than 1 s after the provider\'s expiry', misdated(k.readers), '0'],
        ['storm registrations refused while workers were killed (sent again)', String(k.stormRegistrationErrors.length), '0'],
        ['read latency', `p50 ${k.readers.latencyMs.p50} ms, p99 ${k.readers.latencyMs.p99} ms, max ${k.readers.latencyMs.max} ms`],
        ['wedged workflows', String(k.wedged), '0'],
        ['every credential refreshed after the last kill', `${k.credentials - k.recovery.pending.length}/${k.credentials} within ${s(k.recovery.ms)}`],
        ['crashes', String(k.crashes), '0'],
      ]),
      '',
    );
    if (k.losses.length) out.push('Losses: ' + k.losses.map((l) => `${l.credentialId} ${l.cause}${l.killClass ? ` (${l.killClass} kill)` : ''}${l.gapMs !== undefined ? `, killed ${Math.abs(l.gapMs)} ms ${l.gapMs >= 0 ? 'after' : 'before'} the provider wrote the answer` : ''}${l.writeAhead ? `, write-ahead ${l.writeAhead === 'present' ? 'logged' : 'never written (the answer unread)'}` : ''}${l.lastErrorCode ? `, last error ${l.lastErrorCode}` : ''}`).join('; ') + '.', '');
    if (k.readers.expiredServedExamples.length) out.push(`Expired served, first ones: ${k.readers.expiredServedExamples.map((e) => `${e.id} v${e.version} ${e.lateByMs} ms late (Halflife's expiry ${e.halflifeExpiresAt}, the provider's ${e.providerExpiresAt})`).join('; ')}.`, '');
    if (k.wedges.length) out.push(`Wedged: ${k.wedges.map((w) => `${w.credentialId}: ${w.why}`).join('; ')}.`, '');
    if (k.readers.fiveXxExamples.length) out.push(`5xx, one per code: ${k.readers.fiveXxExamples.map((e) => `${e.code} (${e.id} at ${e.at}: ${e.message ?? ''})`).join('; ')}.`, '');
    if (k.stormRegistrationErrors.length) out.push(`Storm registrations refused: ${k.stormRegistrationErrors.slice(0, 3).map((e) => `\`${e.slice(0, 300)}\``).join('; ')}.`, '');
  }
  if (d) {
    out.push(
      '### 2. Rolling deploy',
      '',
      `Two workers; ${d.sigterms} times, consumers of a few of ${d.credentials} credentials report their version (as after a 401), the provider answers`,
      'them 1.5 s after deciding, and the worker holding most of those requests (its identity on the pending activity) gets',
      'SIGTERM while they are in flight, as a new worker starts beside it.',
      '',
      table([
        ['SIGTERMs', String(d.sigterms)],
        ['requests in flight on the stopped worker', String(d.inFlightOnStoppedWorker)],
        ['aborted answers at the provider', String(d.abortedAnswers), '0'],
        ['lost / replays', `${d.lost + d.lostInFlight} / ${d.replaysAtProvider}`, '0 / 0'],
        ['reports answered with a new version', `${d.reportsRefreshed} ${Object.keys(d.reportsOther).length ? json(d.reportsOther) : ''}`],
        ['longest SIGTERM to exit', s(d.maxDrainMs)],
        ['readers', reads(d.readers)],
        ['expired served / wedged / crashes', `${d.readers.expiredServed} / ${d.wedged} / ${d.crashes}`, '0 / 0 / 0'],
      ]),
      '',
    );
  }
  if (t) {
    out.push(
      '### 3. Temporal restart',
      '',
      `${t.credentials} credentials (${o.temporal.lifetimeS} s tokens); the dev server is stopped (SQLite file kept) for ${s(t.downMs)} and started again on the`,
      'same port. Every credential must go on in the same workflow: a refresh to a version above the one it had before.',
      '',
      table([
        ['resumed (refreshed to a newer version)', `${t.resumed}/${t.credentials} within ${s(t.resumedWithinMs)} of the restart`, 'all'],
        ['versions gone backwards', String(t.versionsBackwards), '0'],
        ['reads while Temporal was down', reads(t.readersWhileDown), 'all 200'],
        ['expired served / lost / wedged', `${t.readers.expiredServed} / ${t.lost + t.lostInFlight} / ${t.wedged}`, '0 / 0 / 0'],
        ['worker or API exits while it was down (replaced)', String(t.crashes), '0'],
      ]),
      '',
    );
  }
  if (r) {
    out.push(
      '### 4. Redis outage',
      '',
      `${r.credentials} credentials (${o.redis.lifetimeS} s tokens); Redis is stopped for ${s(r.downMs)} (the process ends, its memory is lost) and an empty one`,
      `started on the same port; ${r.revoked} credentials are revoked during the outage.`,
      '',
      table([
        ['reads during the outage (live credentials)', reads(r.readersDuring), 'no error'],
        ['read latency before / during', `p50 ${r.readersBefore.latencyMs.p50} / ${r.readersDuring.latencyMs.p50} ms, p99 ${r.readersBefore.latencyMs.p99} / ${r.readersDuring.latencyMs.p99} ms, max ${r.readersBefore.latencyMs.max} / ${r.readersDuring.latencyMs.max} ms`],
        ['mirrored in Redis again', `${r.repopulated}/${r.credentials - r.revoked} within ${s(r.repopulatedWithinMs)} of its return`, 'all'],
        ['revoked tokens served again / in Redis', `${r.resurrected} / ${r.revokedTokensInRedis}`, '0 / 0'],
        ['expired served / lost / wedged / crashes', `${r.readersDuring.expiredServed + r.readersAfter.expiredServed} / ${r.lost + r.lostInFlight} / ${r.wedged} / ${r.crashes}`, '0 / 0 / 0 / 0'],
      ]),
      '',
    );
  }
  if (p) {
    out.push(
      '### 5. Provider outage',
      '',
      `${p.credentials} credentials (${p.lifetimeS} s tokens, default policy) behind a fault proxy; after one refresh each, the token endpoint fails for`,
      `${s(p.outageMs)} (1.5 lifetimes): a third 503 answers, a third requests never answered, a third connections reset. Nothing`,
      'reaches the provider, so nothing rotates.',
      '',
      table([
        ['calls by fault', json(p.callsByFault)],
        ['calls per credential per minute during the outage', `max ${p.callsPerMinuteMax}, mean ${p.callsPerMinuteMean}`, 'bounded'],
        ['degraded, then expired', `${p.degradedThenExpired}/${p.credentials} (e.g. ${p.statusSequenceExample.join(' → ')})`, 'all'],
        ['last valid token served until its expiry (largest gap)', `${p.maxServedGapBeforeExpiryMs} ms`, '≤ the read interval'],
        ['5xx while a valid token existed', String(p.readers.fiveXxWithValidToken), '0'],
        ['expired tokens served', expired(p.readers), '0'],
        ['tokens dated more than 1 s after the provider\'s expiry', misdated(p.readers), '0'],
        ['readers from the outage on', reads(p.readers)],
        ['recovered on their own', `${p.recovered}/${p.credentials} within ${s(p.recoveredWithinMs)} of the end`, 'all'],
        ['longest run history (events)', n(p.maxEventsPerRun), '< 4,096'],
        ['lost / wedged', `${p.lost + p.lostInFlight} / ${p.wedged}`, '0 / 0'],
      ]),
      '',
    );
    if (p.readers.expiredServedExamples.length) out.push(`Expired served, first ones: ${p.readers.expiredServedExamples.map((e) => `v${e.version} ${e.lateByMs} ms late (Halflife's expiry ${e.halflifeExpiresAt}, the provider's ${e.providerExpiresAt})`).join('; ')}.`, '');
  }
  if (g) {
    out.push(
      '### 6. Grant revoked at the provider',
      '',
      `${g.credentials} credentials; each grant is revoked at the provider, then a consumer reports the version (as after a 401).`,
      '',
      table([
        ['in `reauth_required`', `${g.reauthRequired}/${g.credentials}, the slowest ${s(g.maxMsToReauthRequired)} after the revocation`, 'all'],
        ['token requests for a revoked grant (most for one credential)', String(g.maxAttemptsAfterRevocation), '1'],
        ['last errors', json(g.lastErrorCodes)],
        ['the report was answered', json(g.reportOutcomes)],
        ['active again after `reauthorize` with a new grant', `${g.resumed}/${g.credentials}`, 'all'],
        ['readers (every 250 ms, throughout)', reads(g.readers), '409 once revoked, no 5xx'],
        ['signed `credential.reauth_required` webhooks received and verified', `${g.notified}/${g.credentials}, the slowest ${s(g.maxMsToNotification)} after the revocation`, 'all'],
      ]),
      '',
    );
  }
  if (k) {
    out.push('### 7. Storm during scenario 1', '', 'Every caller reports the current version of a fresh credential (default policy) at one instant, through the TokenClient and then the HTTP API (bench/storm), while workers are being killed.', '');
    out.push(markdownTable(['path', 'callers', 'upstream calls', 'served a valid token', 'all served in', 'lost'], k.storms.map((x) => [x.via === 'client' ? 'TokenClient' : 'HTTP API', String(x.callers), String(x.upstreamCalls), String(x.callersOk), `${x.allServedMs} ms`, x.lost ? '**yes**' : 'no'])), '');
    if (k.badInput) {
      const b = k.badInput;
      out.push(
        '### 8. Bad input during scenario 1',
        '',
        `The bad-input corpus (see "Bad input" below) sent to the API process, 4 connections at a time, while scenario 1 kills workers (${s(b.elapsedMs)}).`,
        '',
        table([
          ['requests', n(b.tried)],
          ['5xx', String(b.fiveXx), '0'],
          ['no answer within 45 s', String(b.noAnswer), '0'],
          ['answers other than the expected status', String(b.unexpected)],
          ['secrets in answers or the API\'s output', String(b.secretsFound), '0'],
          ['503 `upstream_failing` to a valid body the corpus expects refused', String(b.acceptedUpstreamFailing), 'see below'],
          ['crashes', String(k.crashes), '0'],
        ]),
        '',
      );
      if (b.acceptedUpstreamFailing) out.push(`The corpus sends some bodies that are valid since later issues added their fields (${b.acceptedUpstreamFailingCases.slice(0, 4).map((c) => `\`${c}\``).join(', ')}): the API accepts them, the workflow cannot reach the made-up token endpoint, and the API answers 503 \`upstream_failing\`, which is right; they are not counted as 5xx to bad input. The corpus's expectations for them need updating.`, '');
      if (b.unexpectedExamples.length) out.push(`Unexpected statuses, first ones: ${b.unexpectedExamples.slice(0, 4).map((e) => `\`${e.slice(0, 100)}\``).join('; ')}.`, '');
    }
  }
  return out;
}
