/**
 * Runs the chosen scenarios one after the other on one stack, prints one summary line each, and
 * folds their figures into the run's JSON summary (the keys the issue asks for, then details).
 */
import { maxEventsPerRun } from './audit';
import { revokeCorpusLeftovers } from './bad-input';
import type { ChaosOptions } from './options';
import type { ScenarioContext } from './scenario';
import type { ChaosStack } from './stack';
import { summaryOf, summaryLine, type ScenarioFigures } from './summary';
import { runGrantRevoked } from './scenarios/grant-revoked';
import { runProviderOutage } from './scenarios/provider-outage';
import { runRedisOutage } from './scenarios/redis-outage';
import { runRollingDeploy } from './scenarios/rolling-deploy';
import { runSoak } from './scenarios/soak';
import { runTemporalRestart } from './scenarios/temporal-restart';
import { runWorkerKills } from './scenarios/worker-kills';

/** What the runner hands the suite for output. */
export interface SuiteIo {
  tag: string;
  /** The current step of scenario `index` (1-based) of `total`. */
  step(label: string, index: number, total: number): void;
  log(line: string): void;
  /** One scenario's summary line. */
  summary(line: string): void;
}

/** The figures of every scenario that ran, and the JSON summary. */
export interface SuiteResult {
  scenarios: ScenarioFigures;
  summary: Record<string, unknown>;
}

/** Runs the scenarios of `options.only` in order. */
export async function runScenarios(stack: ChaosStack, options: ChaosOptions, io: SuiteIo): Promise<SuiteResult> {
  const scenarios: ScenarioFigures = {};
  const wanted = (n: number) => options.only.includes(n);
  const started = Date.now();
  const order = [...new Set(options.only.map((n) => (n === 7 || n === 8 ? 1 : n)))].sort((a, b) => a - b);
  const elapsed = () => `${Math.floor((Date.now() - started) / 60_000)}:${String(Math.floor(((Date.now() - started) / 1000) % 60)).padStart(2, '0')}`;
  const ctx = (n: number, name: string): ScenarioContext => ({ stack, tag: `${io.tag}${n}`, step: (label) => io.step(`${elapsed()} scenario ${n} ${name}: ${label}`, order.indexOf(n) + 1, order.length), log: io.log });
  if (wanted(1) || wanted(7) || wanted(8)) {
    scenarios.workerKills = await runWorkerKills(ctx(1, 'worker SIGKILL'), options.kills);
    io.summary(summaryLine('workerKills', scenarios));
  }
  if (wanted(2)) {
    scenarios.rollingDeploy = await runRollingDeploy(ctx(2, 'rolling deploy'), options.deploy);
    io.summary(summaryLine('rollingDeploy', scenarios));
  }
  if (wanted(3)) {
    scenarios.temporalRestart = await runTemporalRestart(ctx(3, 'Temporal restart'), options.temporal);
    io.summary(summaryLine('temporalRestart', scenarios));
  }
  if (wanted(4)) {
    scenarios.redisOutage = await runRedisOutage(ctx(4, 'Redis outage'), options.redis);
    io.summary(summaryLine('redisOutage', scenarios));
  }
  if (wanted(5)) {
    scenarios.providerOutage = await runProviderOutage(ctx(5, 'provider outage'), options.outage);
    io.summary(summaryLine('providerOutage', scenarios));
  }
  if (wanted(6)) {
    scenarios.grantRevoked = await runGrantRevoked(ctx(6, 'grant revoked'), options.revoke);
    io.summary(summaryLine('grantRevoked', scenarios));
  }
  if (wanted(9)) {
    scenarios.soak = await runSoak(ctx(9, 'soak'), { ...options.soak, durationMs: options.soakMs });
    io.summary(summaryLine('soak', scenarios));
  }
  await revokeCorpusLeftovers(stack.client);
  const history = await maxEventsPerRun(stack.client).catch(() => ({ maxEvents: -1, runs: 0 }));
  return { scenarios, summary: summaryOf(scenarios, { history, stack, durationS: Math.round((Date.now() - started) / 1000) }) };
}
