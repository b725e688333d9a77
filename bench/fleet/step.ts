/**
 * One ladder step: deploy (./deployment.ts), register the fleet, then watch one full lifetime
 * with the reader running; afterwards read histories, cross-check the endpoint's due instants with
 * the workflows' own `nextRefreshAt`, and gather every figure (./figures.ts) before tearing down.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../measure';
import { startDeployment, type FleetBase } from './deployment';
import { stepFigures, type StepFigures, type WorkerGauges } from './figures';
import { sampleHistories } from './histories';
import type { FleetOptions } from './options';
import { ProcWatch } from './proc-stats';
import { scrape, total, type Scrape } from './prometheus';
import { serverLogFigures } from './server-metrics';
import type { FromReader } from './reader';
import { registerFleet } from './register';
import { startFleetTokenEndpoint } from './token-endpoint';

/** Progress of a step: the current phase and a one-line status. */
export type StepProgress = (phase: 'register' | 'window' | 'collect', status: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Picks `k` of `ids` at random. */
function pick(ids: string[], k: number): string[] {
  const copy = [...ids];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as string, copy[i] as string];
  }
  return copy.slice(0, k);
}

/** Gauges of the workers, sampled during the window: the largest sticky cache and the fewest free workflow task slots. */
function trackGauges(gauges: WorkerGauges, scrapes: Scrape[]): void {
  scrapes.forEach((s, i) => {
    const cache = total(s, 'temporal_sticky_cache_size');
    const slots = total(s, 'temporal_worker_task_slots_available', { worker_type: 'WorkflowWorker' });
    const activitySlots = total(s, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' });
    if (cache !== undefined) gauges.maxCached[i] = Math.max(gauges.maxCached[i] ?? 0, cache);
    if (slots !== undefined) gauges.minWorkflowSlots[i] = Math.min(gauges.minWorkflowSlots[i] ?? Number.POSITIVE_INFINITY, slots);
    if (activitySlots !== undefined) gauges.minActivitySlots[i] = Math.min(gauges.minActivitySlots[i] ?? Number.POSITIVE_INFINITY, activitySlots);
  });
}

/** Runs step `index` (0-based) with `n` credentials. */
export async function runStep(base: FleetBase & { redisPid?: number }, options: FleetOptions, n: number, index: number, progress: StepProgress): Promise<StepFigures> {
  const label = `step-${index + 1}-${n}`;
  const lifetimeMs = options.lifetimeS * 1000;
  const endpoint = await startFleetTokenEndpoint(options.lifetimeS, 0.5);
  const deployment = await startDeployment(base, { label, workers: options.workers, apis: options.apis, tuning: options.tuning, sqlitePragmas: options.sqlitePragmas, dynamicConfig: options.dynamicConfig, readRatePerS: options.readRatePerS });
  const dir = path.join(base.dir, label);
  const watch = new ProcWatch();
  watch.add('server', deployment.server.pid);
  deployment.workers.forEach((w, i) => watch.add(`worker-${i + 1}`, w.pid));
  deployment.apis.forEach((a, i) => watch.add(`api-${i + 1}`, a.pid));
  watch.add('reader', deployment.reader.pid);
  watch.add('redis', base.redisPid);
  watch.add('bench', process.pid);
  watch.start();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const scrapeWorkers = () => Promise.all(deployment.workers.map((w) => scrape(w.metricsUrl)));
  try {
    watch.mark('start');
    const serverAtStart = await scrape(deployment.serverMetricsUrl);
    const registration = await registerFleet(deployment.client, endpoint, {
      n,
      prefix: `f${index + 1}`,
      lifetimeMs,
      concurrency: options.concurrency,
      onProgress: (done) => {
        if (done % 50 === 0 || done === n) progress('register', `registered ${done}/${n}`);
      },
    });
    watch.mark('registered');
    const duringRegistration = endpoint.ledger.window(0, Date.now());

    const windowStart = Date.now();
    const windowEnd = windowStart + lifetimeMs;
    const [serverBefore, workersBefore] = [await scrape(deployment.serverMetricsUrl), await scrapeWorkers()];
    const gauges: WorkerGauges = { maxCached: [], minWorkflowSlots: [], minActivitySlots: [] };
    trackGauges(gauges, workersBefore);
    lag.enable();
    deployment.reader.send({ type: 'start', ids: registration.ids });
    let lastScrape = Date.now();
    while (Date.now() < windowEnd) {
      await sleep(Math.min(1000, windowEnd - Date.now()));
      const missed = endpoint.ledger.sweep(Date.now());
      const sofar = endpoint.ledger.window(windowStart, Date.now()).lateness.sort((a, b) => a - b);
      const left = Math.max(0, Math.round((windowEnd - Date.now()) / 1000));
      progress('window', `${endpoint.ledger.count} refreshes, lateness p99 ${Math.round(percentile(sofar, 99) || 0)} ms, ${missed} missed, ${left} s left`);
      if (Date.now() - lastScrape >= 10_000) {
        lastScrape = Date.now();
        trackGauges(gauges, await scrapeWorkers());
      }
    }
    await sleep(2_000); // refreshes due at the very end are in flight: let them land
    deployment.reader.send({ type: 'stop' });
    const readerDone = deployment.reader.next();
    const now = Date.now();
    watch.mark('end');
    lag.disable();
    endpoint.ledger.sweep(now);
    const window = endpoint.ledger.window(windowStart, windowEnd, now);
    const [serverAfter, workersAfter] = [await scrape(deployment.serverMetricsUrl), await scrapeWorkers()];
    trackGauges(gauges, workersAfter);
    progress('collect', 'reading histories and checking due instants');
    const reads: FromReader = await readerDone;
    if (reads.type !== 'result') throw new Error(`fleet reader: ${reads.type === 'error' ? reads.message : reads.type}`);
    const checked = pick(registration.ids, 10);
    const dueDiffs: number[] = [];
    for (const id of checked) {
      const d = await deployment.client.describe(id).catch(() => undefined);
      const due = endpoint.ledger.dueAt(id);
      if (d?.nextRefreshAt !== undefined && due !== undefined) dueDiffs.push(Math.abs(d.nextRefreshAt - due));
    }
    const histories = await sampleHistories(deployment.client.temporal, pick(registration.ids, options.sampleHistories));
    fs.writeFileSync(path.join(dir, 'server-metrics-end.txt'), (await fetch(deployment.serverMetricsUrl).then((r) => r.text()).catch(() => '')) || '');
    fs.writeFileSync(path.join(dir, 'worker-1-metrics-end.txt'), (await fetch(deployment.workers[0]?.metricsUrl ?? '').then((r) => r.text()).catch(() => '')) || '');
    watch.stop();
    return stepFigures({
      n,
      options,
      registration,
      duringRegistration,
      window,
      windowS: (now - windowStart) / 1000,
      ledgerCalls: endpoint.ledger.calls(),
      replays: endpoint.ledger.replays,
      refused: endpoint.refused(),
      reads,
      dueDiffsMs: dueDiffs,
      histories,
      watch,
      gauges,
      serverAtStart,
      serverBefore,
      serverAfter,
      workersBefore,
      workersAfter,
      workerProblems: deployment.workers.map((w) => w.problems()),
      serverLog: serverLogFigures(path.join(dir, 'temporal.log')),
      benchLagP99Ms: lag.percentile(99) / 1e6,
    });
  } finally {
    watch.stop();
    await deployment.stop();
    await endpoint.close();
  }
}
