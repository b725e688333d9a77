/**
 * The run's figures: one summary line per scenario, and the JSON object printed last (the keys the
 * issue asks for first, then each scenario's details).
 *
 * Which reads count where: `reader_errors` and `reader_5xx` are the readers of scenarios 1–4 and
 * 6's none (no error is expected there but for a credential lost in flight); scenario 5's readers
 * must get 503 once the last token really expired, so only its 5xx while a valid token existed
 * count. `expired_tokens_served` counts every scenario's reads.
 */
import type { ChaosStack } from './stack';
import type { GrantRevokedFigures } from './scenarios/grant-revoked';
import type { ProviderOutageFigures } from './scenarios/provider-outage';
import type { RedisOutageFigures } from './scenarios/redis-outage';
import type { RollingDeployFigures } from './scenarios/rolling-deploy';
import type { SoakFigures } from './scenarios/soak';
import type { TemporalRestartFigures } from './scenarios/temporal-restart';
import type { WorkerKillsFigures } from './scenarios/worker-kills';

/** The figures of every scenario that ran. */
export interface ScenarioFigures {
  workerKills?: WorkerKillsFigures;
  rollingDeploy?: RollingDeployFigures;
  temporalRestart?: TemporalRestartFigures;
  redisOutage?: RedisOutageFigures;
  providerOutage?: ProviderOutageFigures;
  grantRevoked?: GrantRevokedFigures;
  soak?: SoakFigures;
}

const kv = (pairs: Record<string, unknown>) => Object.entries(pairs).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
const s = (ms: number) => Math.round(ms / 1000);

/** The one summary line of scenario `name` (scenario 1 also prints 7 and 8, which run inside it). */
export function summaryLine(name: keyof ScenarioFigures, all: ScenarioFigures): string {
  switch (name) {
    case 'workerKills': {
      const f = all.workerKills!;
      const lines = [
        `[chaos] 1 worker SIGKILL: ${kv({ kills: f.kills, by_class: f.killsByClass, credentials: f.credentials, lost: f.lost, lost_in_flight: f.lostInFlight, replays: f.replaysAtProvider, expired_served: f.readers.expiredServed, wedged: f.wedged, reads: f.readers.byStatus, recovered_in_s: s(f.recovery.ms), not_recovered: f.recovery.pending.length, crashes: f.crashes })}`,
      ];
      if (f.storms.length) lines.push(`[chaos] 7 storm during 1: ${f.storms.map((t) => `${t.via} ${t.upstreamCalls} call(s), ${t.callersOk}/${t.callers} served a valid token in ${t.allServedMs} ms${t.lost ? ', LOST' : ''}`).join('; ')}`);
      if (f.badInput) lines.push(`[chaos] 8 bad input during 1: ${kv({ tried: f.badInput.tried, five_xx: f.badInput.fiveXx, valid_bodies_upstream_503: f.badInput.acceptedUpstreamFailing, no_answer: f.badInput.noAnswer, secrets_found: f.badInput.secretsFound, crashes: f.crashes })}`);
      return lines.join('\n');
    }
    case 'rollingDeploy': {
      const f = all.rollingDeploy!;
      return `[chaos] 2 rolling deploy: ${kv({ sigterms: f.sigterms, requests_in_flight_on_stopped_worker: f.inFlightOnStoppedWorker, aborted_answers: f.abortedAnswers, lost: f.lost + f.lostInFlight, replays: f.replaysAtProvider, reports_refreshed: `${f.reportsRefreshed}/${f.reportsRefreshed + Object.values(f.reportsOther).reduce((a, b) => a + b, 0)}`, max_drain_ms: f.maxDrainMs, expired_served: f.readers.expiredServed, reads: f.readers.byStatus, wedged: f.wedged, crashes: f.crashes })}`;
    }
    case 'temporalRestart': {
      const f = all.temporalRestart!;
      return `[chaos] 3 Temporal restart: ${kv({ down_s: s(f.downMs), resumed: `${f.resumed}/${f.credentials}`, resumed_within_s: s(f.resumedWithinMs), versions_backwards: f.versionsBackwards, reads_while_down: f.readersWhileDown.byStatus, expired_served: f.readers.expiredServed, lost: f.lost + f.lostInFlight, wedged: f.wedged, crashes: f.crashes })}`;
    }
    case 'redisOutage': {
      const f = all.redisOutage!;
      return `[chaos] 4 Redis outage: ${kv({ down_s: s(f.downMs), reads_during: f.readersDuring.byStatus, errors_during: f.readersDuring.errors, latency_ms_before: f.readersBefore.latencyMs, latency_ms_during: f.readersDuring.latencyMs, repopulated: `${f.repopulated}/${f.credentials - f.revoked}`, repopulated_within_s: s(f.repopulatedWithinMs), revoked: f.revoked, resurrected: f.resurrected + f.revokedTokensInRedis, expired_served: f.readersDuring.expiredServed + f.readersAfter.expiredServed, lost: f.lost + f.lostInFlight, wedged: f.wedged, crashes: f.crashes })}`;
    }
    case 'providerOutage': {
      const f = all.providerOutage!;
      return `[chaos] 5 provider outage: ${kv({ outage_s: s(f.outageMs), lifetime_s: f.lifetimeS, calls_by_fault: f.callsByFault, calls_per_min_max: f.callsPerMinuteMax, degraded_then_expired: `${f.degradedThenExpired}/${f.credentials}`, expired_served: f.readers.expiredServed, five_xx_with_valid_token: f.readers.fiveXxWithValidToken, served_gap_before_expiry_ms: f.maxServedGapBeforeExpiryMs, recovered: `${f.recovered}/${f.credentials}`, recovered_within_s: s(f.recoveredWithinMs), max_events_per_run: f.maxEventsPerRun, lost: f.lost + f.lostInFlight, wedged: f.wedged })}`;
    }
    case 'grantRevoked': {
      const f = all.grantRevoked!;
      return `[chaos] 6 grant revoked: ${kv({ credentials: f.credentials, reauth_required: f.reauthRequired, max_attempts_after_revocation: f.maxAttemptsAfterRevocation, max_s_to_reauth_required: Math.round(f.maxMsToReauthRequired / 100) / 10, last_errors: f.lastErrorCodes, resumed_after_reauthorize: f.resumed, reads: f.readers.byStatus, notified: `${f.notified}/${f.credentials}`, notified_within_ms: f.maxMsToNotification, wedged: f.wedged })}`;
    }
    case 'soak': {
      const f = all.soak!;
      return `[chaos] 9 soak: ${kv({ minutes: Math.round(f.durationS / 60), credentials: f.credentials, faults: f.faults, lost: f.lost, lost_in_flight: f.lostInFlight, replays: f.replaysAtProvider, expired_served: f.readers.expiredServed, reads: f.readers.byStatus, wedged: f.wedged, crashes: f.crashes, worker_rss_mib: f.rss.workerMiB, api_rss_mib: f.rss.apiMiB })}`;
    }
  }
}

const sum = (values: (number | undefined)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** The JSON summary of the run (each scenario's full figures are written apart: see run.ts). */
export function summaryOf(all: ScenarioFigures, extra: { history: { maxEvents: number; runs: number }; stack: ChaosStack; durationS: number }): Record<string, unknown> {
  const { workerKills: k, rollingDeploy: d, temporalRestart: t, redisOutage: r, providerOutage: p, grantRevoked: g, soak } = all;
  const lossFigures = [k, d, t, r, p, soak];
  const plainReaders = [k?.readers, d?.readers, t?.readers, r?.readersBefore, r?.readersDuring, r?.readersAfter];
  const everyReader = [...plainReaders, p?.readers, g?.readers, soak?.readers];
  return {
    chaos: true,
    kills: extra.stack.workers.kills().length,
    sigterms: extra.stack.workers.stops.filter((x) => x.signal === 'SIGTERM').length,
    credentials: sum([k?.credentials, d?.credentials, t?.credentials, r?.credentials, p?.credentials, g?.credentials, soak?.credentials]),
    credentials_lost: sum(lossFigures.map((f) => f?.lost)),
    lost_in_flight: sum(lossFigures.map((f) => f?.lostInFlight)),
    replays_at_provider: sum([k?.replaysAtProvider, d?.replaysAtProvider, t?.replaysAtProvider, r?.replaysAtProvider, p?.replaysAtProvider, soak?.replaysAtProvider]),
    expired_tokens_served: sum(everyReader.map((f) => f?.expiredServed)),
    expired_tokens_served_past_halflife_expiry: sum(everyReader.map((f) => f?.expiredServedByHalflifeClock)),
    expired_tokens_served_in_expires_in_rounding: sum(everyReader.map((f) => f?.expiredServedInRounding)),
    misdated_tokens: sum(everyReader.map((f) => f?.misdatedTokens)),
    misdated_by_ms_max: Math.max(0, ...everyReader.map((f) => f?.misdatedByMsMax ?? 0)),
    wedged_workflows: sum([k?.wedged, d?.wedged, t?.wedged, r?.wedged, p?.wedged, g?.wedged, soak?.wedged]),
    reader_errors: sum(plainReaders.map((f) => f?.errors)),
    reader_errors_excused_by_loss_in_flight: sum(everyReader.map((f) => f?.excused)),
    reader_5xx: sum(plainReaders.map((f) => f?.fiveXx)) + (p?.readers.fiveXxWithValidToken ?? 0) + (g?.readers.fiveXx ?? 0) + (soak?.readers.fiveXxWithValidToken ?? 0),
    reader_5xx_with_valid_token: sum(everyReader.map((f) => f?.fiveXxWithValidToken)),
    reader_errors_during_redis_outage: r ? r.readersDuring.errors : null,
    resurrected_tokens: r ? r.resurrected + r.revokedTokensInRedis : null,
    bad_inputs_tried: k?.badInput?.tried ?? 0,
    bad_input_5xx: (k?.badInput?.fiveXx ?? 0) + (soak?.badInput5xx ?? 0),
    crashes: extra.stack.workers.crashes.length + extra.stack.api.crashes,
    api_error_log_lines: extra.stack.api.errorLines.length,
    max_events_per_run: extra.history.maxEvents,
    storm_upstream_calls: [...(k?.storms.map((x) => x.upstreamCalls) ?? []), ...(soak?.stormUpstreamCalls ?? [])],
    storm_callers_served: k?.storms.map((x) => `${x.callersOk}/${x.callers}`) ?? [],
    provider_outage_calls_per_minute_max: p?.callsPerMinuteMax ?? null,
    reauth_required_attempts_max: g?.maxAttemptsAfterRevocation ?? null,
    reauth_required_webhooks: g ? `${g.notified}/${g.credentials}` : null,
    duration_s: extra.durationS,
  };
}
