/** The fleet section of BENCHMARKS.md: how it was measured, one row per ladder step, and what limited the step that broke. */
import { devServerDynamicConfig, mergeDynamicConfig } from '../../src/dev/dev-server';
import { markdownTable } from '../measure';
import type { StepFigures } from './figures';
import { limitOf } from './limit';
import type { FleetOptions } from './options';

/** What the section is made from. */
export interface FleetRun {
  options: FleetOptions;
  steps: StepFigures[];
  startedAt: Date;
  seconds: number;
  machine: string[];
  argv: string[];
}

const cores = (cpuS: number | undefined, windowS: number) => (cpuS === undefined ? '–' : `${cpuS.toFixed(0)} s (${(cpuS / windowS).toFixed(2)})`);
const or = (v: number | undefined, unit = '') => (v === undefined ? '–' : `${v}${unit}`);

function row(s: StepFigures): string[] {
  const workers = Object.entries(s.cpu_s).filter(([k]) => k.startsWith('worker-'));
  const workerCpu = workers.reduce((a, [, v]) => a + v, 0);
  const workerRss = Object.entries(s.rss_peak_mb).filter(([k]) => k.startsWith('worker-')).map(([, v]) => v);
  return [
    String(s.credentials),
    `${s.registration.per_s}/s`,
    `${s.refreshes_per_s}/s`,
    `${s.lateness_ms.p50} / ${s.lateness_ms.p99} / ${s.lateness_ms.max} ms${s.lateness_ms.unfinished ? ` (${s.lateness_ms.unfinished} not done)` : ''}`,
    `${s.missed}${s.missed_during_registration ? ` (+${s.missed_during_registration} while registering)` : ''}`,
    String(s.refreshed_twice),
    `${s.worker.workflowTaskFailed}; ${s.events.workflowTaskFailed} failed, ${s.events.workflowTaskTimedOut} timed out in ${s.events.sampled} histories`,
    `${workerRss.join(' + ')} MB`,
    `${or(s.rss_peak_mb.server)} MB`,
    cores(workerCpu, s.window_s),
    cores(s.cpu_s.server, s.window_s),
    `${or(s.events.eventsPerCycle)} / ${s.events.eventsPerRun}`,
    or(s.server.persistence_writes_per_refresh),
    `${s.get_token_ms.p99} ms`,
    s.ok ? 'kept up' : '**broke**',
  ];
}

/** The Markdown of the section. */
export function fleetMarkdown(run: FleetRun): string {
  const { options: o, steps } = run;
  const broken = steps.find((s) => !s.ok);
  const last = steps.at(-1);
  const tuning = Object.entries(o.tuning).map(([k, v]) => `${k}=${v}`).join(', ') || 'the SDK defaults';
  const check = steps.map((s) => s.due_check_ms.max);
  const lines = [
    '## Fleet: how many credentials one machine keeps fresh',
    '',
    `Measured ${run.startedAt.toISOString()} by \`npm run bench:fleet -- ${run.argv.join(' ')}\` (${Math.round(run.seconds / 60)} min). Each step runs its own`,
    `Temporal dev server on a SQLite file (${o.sqlitePragmas.length ? `pragmas ${o.sqlitePragmas.join(', ')}` : 'write-ahead logging, as `halflife start` runs it'}; settings ${mergeDynamicConfig(devServerDynamicConfig, o.dynamicConfig).join(', ')}), ${o.workers} worker process(es) (\`halflife worker\`'s wiring, worker options: ${tuning})`,
    `and ${o.apis} API process(es) against one Redis, registers the fleet with supplied tokens at ${o.concurrency} registrations in flight (remaining life spread`,
    `over 0.2–1.2 lifetimes, so refreshes are spread evenly), then watches one full lifetime (${o.lifetimeS} s) while a reader calls \`getToken\` ${o.readRatePerS} times`,
    'a second (TokenClient with Redis, no in-process cache). The token endpoint is a loopback fake that answers from memory, rotates the',
    'refresh token and refuses a replayed one.',
    '',
    '**Lateness** is measured at the endpoint: with jitter off, a refresh is due at `issuedAt + lifetime × 0.5`, where `issuedAt` is the',
    'instant the worker sent the request that got the token (the endpoint uses its arrival, a fraction of a millisecond later) or, for the',
    `supplied token, the registration. The workflows' own \`nextRefreshAt\` (describe) agreed with these instants within ${Math.max(...check)} ms on 10 sampled`,
    'credentials per step. Every refresh due in the window counts, the ones that had not come at its end as late by the time waited.',
    '**Missed**: a token that expired before its refresh came. **Doubled**: a refresh that presented a used refresh token. Task failures:',
    "the workers' `temporal_workflow_task_execution_failed`; then failed and timed-out tasks in the sampled histories. Events: median per",
    `refresh cycle / per run over ${o.sampleHistories} sampled histories; writes: the dev server's persistence write requests per refresh. CPU:`,
    "seconds over the window from /proc (in parentheses: cores). The machine is shared: other sessions' load is in the load average and",
    'in the limit line below.',
    '',
    ...run.machine,
    '',
    markdownTable(
      ['credentials', 'registration', 'refreshes', 'lateness p50 / p99 / max', 'missed', 'doubled', 'task failures', 'worker RSS peak', 'server RSS peak', 'worker CPU', 'server CPU', 'events cycle / run', 'writes / refresh', 'getToken p99', ''],
      steps.map(row),
    ),
    '',
  ];
  if (broken) {
    lines.push(`What limited the step that broke (${broken.credentials} credentials: ${broken.broke.join('; ')}):`, '', ...limitOf(broken).map((l) => `- ${l}`), '');
  } else if (last) {
    lines.push(`No step broke; the largest (${last.credentials}) showed: ${limitOf(last).join('; ') || 'nothing near a limit'}.`, '');
  }
  for (const s of steps) {
    const d = s.events.delays;
    lines.push(
      `Where a refresh's lateness goes at ${s.credentials} credentials (p50 / p99 over the timers of the sampled histories): the timer starts ${d.timerStartShift[0]} / ${d.timerStartShift[1]} ms after its workflow task started (the server starts it when the task completes; the workflow counts it from the task's last activation), fires ${d.timerFireDelay[0]} / ${d.timerFireDelay[1]} ms after it is due, and the refresh activity starts ${d.firedToActivityStart[0]} / ${d.firedToActivityStart[1]} ms after that.`,
      '',
    );
  }
  for (const s of steps.filter((x) => x.workers > 1)) {
    lines.push(`How the work spread over the ${s.workers} workers (${s.credentials} credentials): upstream calls ${s.worker.upstreamCallsByWorker.join(' / ')}, workflow tasks ${s.worker.workflowTasksByWorker.join(' / ')}; refreshed twice: ${s.refreshed_twice}.`, '');
  }
  if (last) {
    const mix = Object.entries(last.events.cycleMix).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`One refresh cycle in the history (${last.credentials}-credential step): ${mix || 'not sampled'}.`, '');
    lines.push(`Dev server persistence operations over that window (busiest first): ${Object.entries(last.server.top_operations).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }
  lines.push('```sh', 'npm run bench:fleet -- --credentials 10000 --lifetime 600', 'npm run bench:fleet -- --ladder 500,1000,2000 --lifetime 120 --sqlite-pragma journal_mode=wal', 'npm run bench:fleet -- --help   # worker tuning flags, --workers, --api', '```');
  return lines.join('\n');
}
