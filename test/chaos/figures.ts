/** Small numeric helpers shared by the chaos scenarios: percentiles, sums of counters, rounding. */

/** p50 / p99 / max of a sample, in the sample's unit (0 for an empty sample). */
export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

/** The nearest-rank percentiles of `values`, rounded to 0.1. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number) : 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50: round(at(50)), p99: round(at(99)), max: round(sorted.at(-1) ?? 0), n: sorted.length };
}

/** Adds the counters of `more` into `into`. */
export function addCounts(into: Record<string, number>, more: Readonly<Record<string, number>>): Record<string, number> {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** Milliseconds since `start`, in seconds with one decimal. */
export function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 100) / 10;
}

/** Resolves after `ms` (pacing of the fault schedule, never a wait for a condition). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A uniformly random number in [min, max). */
export function between(min: number, max: number): number {
  return min + Math.random() * (max - min);
}
