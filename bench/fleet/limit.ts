/**
 * What limited a step, read from its figures: each rule names a resource and quotes the figure that
 * points at it. A heuristic to direct the reader to the evidence, not a proof; every figure it
 * quotes is in the step's JSON.
 */
import os from 'node:os';
import type { StepFigures } from './figures';

/** The resources that look exhausted in `step`, each with its evidence (empty: nothing stands out). */
export function limitOf(step: StepFigures): string[] {
  const found: string[] = [];
  const windowS = step.window_s || 1;
  const cores = os.cpus().length;
  const coresOf = (name: string) => (step.cpu_s[name] ?? 0) / windowS;
  const workerCores = Object.keys(step.cpu_s).filter((k) => k.startsWith('worker-')).map(coresOf);
  const server = coresOf('server');
  const ours = Object.values(step.cpu_s).reduce((a, b) => a + b, 0) / windowS;
  if (step.machine_busy !== undefined && step.machine_busy > 0.9) {
    const others = Math.max(0, step.machine_busy * cores - ours);
    found.push(`machine CPU saturated (${Math.round(step.machine_busy * 100)}% of ${cores} cores busy: dev server ${server.toFixed(2)} cores, worker(s) ${workerCores.map((c) => c.toFixed(2)).join(' + ')}, other processes on the machine ${others.toFixed(2)})`);
  }
  if (server > 0.85) found.push(`dev server CPU (${server.toFixed(2)} cores)`);
  workerCores.forEach((c, i) => {
    if (c > 0.85) found.push(`worker-${i + 1} CPU (${c.toFixed(2)} cores: one Node thread runs its workflow tasks)`);
  });
  const w = step.worker;
  const perWorker = step.credentials / Math.max(1, step.workers);
  w.maxCached.forEach((cached, i) => {
    if (cached > 0 && cached < perWorker * 0.98) found.push(`worker-${i + 1} cache held at most ${cached} of its ~${Math.round(perWorker)} credentials (${w.cacheMisses ?? '?'} workflow tasks missed the cache and replayed a history)`);
  });
  w.minWorkflowSlots.forEach((slots, i) => {
    if (slots === 0) found.push(`worker-${i + 1} workflow task slots all busy at some sample`);
  });
  w.minActivitySlots.forEach((slots, i) => {
    if (slots === 0) found.push(`worker-${i + 1} activity slots all busy at some sample`);
  });
  const waited = w.workflowTaskScheduleToStartP99S;
  if (typeof waited === 'string' || (waited ?? 0) >= 1) found.push(`workflow tasks waited for a worker: schedule-to-start p99 ≤ ${w.workflowTaskScheduleToStartP99S} s`);
  if (step.events.stickyTimeouts > 0) found.push(`${step.events.stickyTimeouts} sticky schedule-to-start timeouts in ${step.events.sampled} sampled histories (the task waited past the sticky timeout)`);
  const s = step.server;
  if ((s.shard_lock_p99_ms ?? 0) > 50) found.push(`history shard lock wait p99 ≤ ${s.shard_lock_p99_ms} ms (the dev server has one shard)`);
  if ((s.persistence_latency_p99_ms ?? 0) > 50) found.push(`persistence latency p99 ≤ ${s.persistence_latency_p99_ms} ms (SQLite)`);
  const respond = s.respond_task_completed_ms?.[1];
  if (respond !== undefined && respond > 200) found.push(`the server took up to ${respond} ms (p99 bucket) to accept a completed workflow task, and a timer starts only then (timer start shift p99 ${step.events.delays.timerStartShift[1]} ms)`);
  if (step.server_log.errors > 0) found.push(`dev server logged ${step.server_log.errors} errors (${Object.keys(step.server_log.top).slice(0, 2).join(' | ')})`);
  if (w.workflowTaskFailed > 0) found.push(`${w.workflowTaskFailed} workflow task failures (worker log: ${w.problemMessages.slice(0, 2).join(' | ')})`);
  return found;
}
