/** Latency statistics for the benchmarks: pure functions, no I/O. */

/** Summary of one latency sample set (milliseconds). */
export interface LatencyStats {
  /** Number of samples. */
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Operations per second over the wall time of the run (sequential runs: 1000 / mean). */
  opsPerSec: number;
}

/** The nearest-rank percentile `p` (0..100) of ascending `sorted` samples; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Summarizes latency samples (ms) measured over `wallMs` of wall time. */
export function summarize(samplesMs: readonly number[], wallMs: number): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    opsPerSec: wallMs > 0 ? (sorted.length * 1000) / wallMs : Number.NaN,
  };
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(start: bigint, end: bigint = process.hrtime.bigint()): number {
  return Number(end - start) / 1e6;
}

/** Runs `op` `n` times one after the other; resolves to the latency of each call and the wall time. */
export async function timeSequential(n: number, op: (i: number) => Promise<unknown>): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = new Array(n);
  const begin = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await op(i);
    samples[i] = elapsedMs(start);
  }
  return { samples, wallMs: elapsedMs(begin) };
}

/** A latency in ms with a precision that suits its size (µs below 1 ms). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** An operations-per-second figure, rounded for reading. */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return 'n/a';
  return perSec >= 100 ? Math.round(perSec).toLocaleString('en-US') : perSec.toFixed(1);
}

/** A Markdown table from a header row and data rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
