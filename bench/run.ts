/**
 * `npm run bench`: starts its own Temporal dev server, Redis, worker and fake provider, measures
 * the read paths, concurrent refreshes and rotation events, prints the figures and writes them to
 * BENCHMARKS.md at the repository root (overwritten on every run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { elapsedMs, formatMs, formatRate, markdownTable } from './measure';
import { startStack, type BenchStack } from './stack';
import { concurrentRefresh, type ConcurrentRefreshResult } from './scenarios/concurrent-refresh';
import { registerCredential } from './scenarios/credentials';
import { readPaths, type ReadPathResult } from './scenarios/read-paths';
import { rotationEvent, type RotationEventResult } from './scenarios/rotation-event';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Everything one run measured. */
interface BenchReport {
  startedAt: Date;
  durationMs: number;
  versions: BenchStack['versions'];
  reads: ReadPathResult[];
  refreshes: ConcurrentRefreshResult[];
  rotation: RotationEventResult;
}

/** The machine the figures come from. */
function machineInfo(versions: BenchStack['versions']): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} (shared with other work while measured)`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node ${process.version}; Temporal CLI: ${versions.temporalCli}; Redis: ${versions.redisServer}`,
    '- Everything on one host over loopback: dev server (in memory), Redis, in-process worker, fake OAuth 2.0 provider, clients.',
  ];
}

/** BENCHMARKS.md for `report`. */
function renderMarkdown(report: BenchReport): string {
  const reads = markdownTable(
    ['read path', 'how', 'n', 'p50', 'p95', 'p99', 'max', 'ops/s (1 caller)', 'workflow queries'],
    report.reads.map((r) => [r.path, r.how, String(r.stats.n), formatMs(r.stats.p50), formatMs(r.stats.p95), formatMs(r.stats.p99), formatMs(r.stats.max), formatRate(r.stats.opsPerSec), String(r.queries)]),
  );
  const refreshes = markdownTable(
    ['setup', 'calls', 'wall time', 'upstream calls', 'distinct versions returned'],
    report.refreshes.map((r) => [r.setup, String(r.calls), formatMs(r.wallMs), String(r.upstreamCalls), String(r.distinctVersions)]),
  );
  const rot = report.rotation;
  const rotation = markdownTable(
    ['interval', 'n', 'p50', 'p95', 'max'],
    [
      ['upstream call reached the provider → subscriber got the event', rot.fromUpstream, 'upstream'] as const,
      ['refresh due (`nextRefreshAt`) → subscriber got the event', rot.fromDue, 'due'] as const,
    ].map(([label, s]) => [label, String(s.n), formatMs(s.p50), formatMs(s.p95), formatMs(s.max)]),
  );
  return [
    '# Benchmarks',
    '',
    `Measured ${report.startedAt.toISOString()} by \`npm run bench\` (whole run: ${(report.durationMs / 1000).toFixed(0)} s). This file is overwritten by every run.`,
    '',
    '## Machine',
    '',
    ...machineInfo(report.versions),
    '',
    '## getToken latency by read path',
    '',
    'One caller, sequential calls, round-robin over 3 credentials (tokens live 1 h, so nothing refreshes meanwhile).',
    'The Redis path is the TokenClient with its in-process cache disabled (`localCacheMs: 0`), so every call reads Redis;',
    'the query path is a TokenClient without Redis and without the in-process cache. "workflow queries" counts queries made',
    'during the measured calls (0 proves the faster paths never fell through to the workflow).',
    '',
    reads,
    '',
    '## 200 concurrent refresh() calls with the same stale version',
    '',
    refreshes,
    '',
    'Upstream calls must be 1 and distinct versions 1: every caller gets the one new token.',
    '',
    `## Scheduled refresh → rotation event at a subscriber`,
    '',
    `${rot.rotations} scheduled refreshes of a credential whose token lives ${rot.lifetimeS} s (refreshed at half-life); a TokenClient subscribed to its Redis events.`,
    'The first interval covers the provider answering, the workflow applying the token and running the publication activity, Redis PUBLISH and delivery;',
    'the second adds the timer firing and the workflow task that starts the refresh activity.',
    '',
    rotation,
    '',
    '## How to run',
    '',
    '```sh',
    'npm ci',
    'npm run bench   # tsx bench/run.ts: starts its own dev server, Redis, worker and fake provider on free ports (well under a minute on 2 cores)',
    '```',
    '',
    'It needs the Temporal CLI and redis-server (found or installed the same way as for `npm start`). Figures vary with the',
    'machine and its load; compare runs on the same machine only.',
    '',
  ].join('\n');
}

/** Prints the figures to stdout. */
function printReport(report: BenchReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  for (const r of report.reads) {
    out(`getToken ${r.path}: p50 ${formatMs(r.stats.p50)}, p95 ${formatMs(r.stats.p95)}, p99 ${formatMs(r.stats.p99)}, max ${formatMs(r.stats.max)}, ${formatRate(r.stats.opsPerSec)} ops/s (n=${r.stats.n}, queries ${r.queries})`);
  }
  for (const r of report.refreshes) {
    out(`refresh x${r.calls} (${r.setup}): ${formatMs(r.wallMs)} wall, ${r.upstreamCalls} upstream call(s), ${r.distinctVersions} version(s)`);
  }
  const rot = report.rotation;
  out(`rotation → subscriber (n=${rot.rotations}): from upstream p50 ${formatMs(rot.fromUpstream.p50)} p95 ${formatMs(rot.fromUpstream.p95)} max ${formatMs(rot.fromUpstream.max)}; from due p50 ${formatMs(rot.fromDue.p50)} p95 ${formatMs(rot.fromDue.p95)} max ${formatMs(rot.fromDue.max)}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const begin = process.hrtime.bigint();
  log('starting the dev server, Redis, the worker and the fake provider');
  const stack = await startStack(log);
  try {
    const owner = await stack.openClient();
    const creds = await Promise.all([0, 1, 2].map(() => registerCredential(owner, stack.fake)));
    const reads = await readPaths(stack, creds, log);
    const refreshes = await concurrentRefresh(stack, log);
    const rotation = await rotationEvent(stack, log);
    await Promise.all(creds.map((c) => owner.revoke(c.id)));
    await owner.shutdown();
    const report: BenchReport = { startedAt, durationMs: elapsedMs(begin), versions: stack.versions, reads, refreshes, rotation };
    printReport(report);
    const problems = refreshes.filter((r) => r.upstreamCalls !== 1 || r.distinctVersions !== 1);
    const file = path.join(__dirname, '..', 'BENCHMARKS.md');
    fs.writeFileSync(file, renderMarkdown(report));
    log(`wrote ${path.relative(process.cwd(), file) || file}`);
    if (problems.length) {
      log(`concurrent refreshes made more than one upstream call: ${JSON.stringify(problems)}`);
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
