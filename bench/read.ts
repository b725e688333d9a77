/**
 * `npm run bench:read [-- --no-write]`: getToken latency and throughput on each read path (the
 * in-process cache, Redis, the workflow query) next to the floor (a raw ioredis HGET of the same
 * key), with 1 and 64 concurrent callers. Progress on stderr; the last line on stdout is one JSON
 * object; a run rewrites its section of BENCHMARKS.md. The targets (Redis p99 < 1 ms and ≤ 1.5× the
 * raw HGET's, in-process > 1,000,000 reads/s) are reported, not enforced: a miss is a finding.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatMs, markdownTable } from './measure';
import { machineLines, progress, writeSection } from './report';
import { registerCredential } from './scenarios/credentials';
import type { ReadJob, ReadResult } from './scenarios/read-consumer';
import type { RoundedFigures } from './scenarios/read-paths';
import { startStack } from './stack';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });

const paths = ['memory', 'redis', 'query', 'raw_redis'] as const;
type PathName = (typeof paths)[number];

/** Calls per pass: timed (latency) and untimed (throughput), sized to keep the run near a minute on 2 cores. */
const sizes: Record<PathName, { n: number; throughputN: number }> = {
  memory: { n: 200_000, throughputN: 2_000_000 },
  redis: { n: 20_000, throughputN: 20_000 },
  query: { n: 500, throughputN: 500 },
  raw_redis: { n: 20_000, throughputN: 20_000 },
};

const concurrencies = [1, 64] as const;

type Level = Record<PathName, RoundedFigures> & { redis_p99_vs_raw: number };

const rounds = 3;

/** The issue's targets, each with the figure it was judged on. */
interface Targets {
  redis_p99_under_1ms: { ok: boolean; p99_us: number };
  redis_p99_within_1_5x_raw: { ok: boolean; ratio: number };
  memory_over_1m_per_s: { ok: boolean; ops_per_s: number };
}

const descriptions: Record<PathName, string> = {
  memory: 'TokenClient, in-process cache hit (`localCacheMs` 1 h, warm)',
  redis: 'TokenClient with Redis, `localCacheMs: 0` (every read is an HGET + parse)',
  query: 'TokenClient without Redis, `localCacheMs: 0` (every read is a `getToken` workflow query)',
  raw_redis: 'the floor: ioredis `HGET` of the same hash field, product connection options',
};

/** The targets in words: met or missed, and by how much. */
function targetLine(targets: Targets): string {
  const t = targets;
  const miss = (value: number, target: number) => `${Math.abs(Math.round((value / target - 1) * 100))}% ${value > target ? 'over' : 'short'}`;
  return [
    `Redis p99 < 1 ms: ${t.redis_p99_under_1ms.ok ? 'met' : `missed, ${miss(t.redis_p99_under_1ms.p99_us, 1000)}`} (${formatMs(t.redis_p99_under_1ms.p99_us / 1000)})`,
    `Redis p99 ≤ 1.5× raw: ${t.redis_p99_within_1_5x_raw.ok ? 'met' : `missed, ${miss(t.redis_p99_within_1_5x_raw.ratio, 1.5)}`} (${t.redis_p99_within_1_5x_raw.ratio}×)`,
    `in-process > 1,000,000 reads/s: ${t.memory_over_1m_per_s.ok ? 'met' : `missed, ${miss(t.memory_over_1m_per_s.ops_per_s, 1_000_000)}`} (${t.memory_over_1m_per_s.ops_per_s.toLocaleString('en-US')})`,
  ].join('; ');
}

function markdown(levels: Record<number, Level>, targets: Targets, machine: string[], startedAt: Date, seconds: number): string {
  const rows = paths.flatMap((p) =>
    concurrencies.map((c) => {
      const f = levels[c]![p];
      const t = (us: number) => formatMs(us / 1000);
      return [c === 1 ? `**${p}**` : '', String(c), t(f.p50_us), `${t(f.p99_us)} (${t(f.p99_range_us[0])}–${t(f.p99_range_us[1])})`, f.ops_per_s.toLocaleString('en-US'), String(f.queries)];
    }),
  );
  return [
    '## Read path: getToken next to a raw Redis HGET',
    '',
    `Measured ${startedAt.toISOString()} by \`npm run bench:read\` (${seconds.toFixed(0)} s). One credential (token valid for 1 h, so nothing refreshes).`,
    'Measured in a process set up as a consumer service (one Temporal connection shared by the TokenClients, Redis with the',
    "product's options, no worker in it). Latency from a pass where every call is timed; reads/s from an untimed pass of the same",
    `shape; the paths take turns, ${rounds} rounds, each figure the median (the p99 range over the rounds in brackets). "queries"`,
    'counts workflow queries made during the measured calls (0 proves the faster paths never fell through to the workflow).',
    '',
    ...machine,
    '',
    ...paths.map((p) => `- \`${p}\`: ${descriptions[p]}`),
    '',
    markdownTable(['path', 'callers', 'p50', 'p99 (range)', 'reads/s', 'queries'], rows),
    '',
    `Redis p99 ÷ raw HGET p99: ${levels[1]!.redis_p99_vs_raw} with 1 caller, ${levels[64]!.redis_p99_vs_raw} with 64.`,
    '',
    `Targets (1 caller): ${targetLine(targets)}.`,
    '',
    '```sh',
    'npm run bench:read',
    '```',
  ].join('\n');
}

/** Runs the measuring consumer process (./scenarios/read-consumer.ts) and returns its figures. */
function runConsumer(job: ReadJob, onProgress: (callers: number, round: number) => void): Promise<ReadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'scenarios', 'read-consumer.ts'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const match of chunk.toString().matchAll(/^PROGRESS (\d+) (\d+)$/gm)) onProgress(Number(match[1]), Number(match[2]));
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ReadResult);
      else reject(new Error(`the read consumer exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const ui = progress('read');
  const stack = await startStack((msg) => ui.log(msg));
  try {
    const owner = await stack.openClient();
    const cred = await registerCredential(owner, stack.fake);
    const job: ReadJob = {
      env: { temporalAddress: stack.temporalAddress, namespace: stack.namespace, taskQueue: stack.taskQueue, redisUrl: stack.redisUrl, encryptionKeys: stack.encryptionKeys },
      credentialId: cred.id,
      sizes,
      concurrencies: [...concurrencies],
      rounds,
    };
    const measured = await runConsumer(job, (callers, round) => ui.step(concurrencies.indexOf(callers as 1 | 64) * rounds + round, concurrencies.length * rounds, `${callers} caller${callers > 1 ? 's' : ''}, round ${round} of ${rounds}`));
    const levels: Record<number, Level> = {};
    for (const callers of concurrencies) {
      const level = measured[String(callers)]!;
      levels[callers] = { ...level, redis_p99_vs_raw: Math.round((level.redis.p99_us / level.raw_redis.p99_us) * 100) / 100 };
    }
    ui.done();
    const one = levels[1]!;
    const targets: Targets = {
      redis_p99_under_1ms: { ok: one.redis.p99_us < 1000, p99_us: one.redis.p99_us },
      redis_p99_within_1_5x_raw: { ok: one.redis_p99_vs_raw <= 1.5, ratio: one.redis_p99_vs_raw },
      memory_over_1m_per_s: { ok: one.memory.ops_per_s > 1_000_000, ops_per_s: one.memory.ops_per_s },
    };
    for (const [name, t] of Object.entries(targets)) if (!t.ok) ui.log(`target missed: ${name} ${JSON.stringify(t)}`);
    await owner.revoke(cred.id);
    await owner.shutdown();
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    if (values['no-write'] !== true) {
      writeSection('read', markdown(levels, targets, machineLines(stack.versions), startedAt, seconds));
      ui.log('wrote its section of BENCHMARKS.md');
    }
    const strip = (f: RoundedFigures) => ({ p50_us: f.p50_us, p99_us: f.p99_us, ops_per_s: f.ops_per_s });
    const level = (l: Level) => ({ ...Object.fromEntries(paths.map((p) => [p, strip(l[p])])), redis_p99_vs_raw: l.redis_p99_vs_raw });
    process.stdout.write(`${JSON.stringify({ bench: 'read', callers: 1, ...level(one), concurrent_64: { callers: 64, ...level(levels[64]!) }, targets })}\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`[read] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
