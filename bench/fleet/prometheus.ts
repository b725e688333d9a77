/**
 * Just enough of the Prometheus text format for the fleet benchmark: scrape an endpoint into
 * samples, sum a metric (optionally by label filter), and the difference of counters and
 * histograms between two scrapes (a histogram's quantile from its bucket deltas).
 */

/** One sample line: metric name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A scrape: its samples, or none when the endpoint did not answer. */
export type Scrape = Sample[];

const line = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const label = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text. */
export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#') || raw.trim() === '') continue;
    const m = line.exec(raw);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1] as string] = l[2] as string;
    const value = Number(m[3]);
    if (Number.isFinite(value)) samples.push({ name: m[1] as string, labels, value });
  }
  return samples;
}

/** Scrapes `url` (empty on any failure: a benchmark goes on without the figure). */
export async function scrape(url: string | undefined): Promise<Scrape> {
  if (!url) return [];
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return response.ok ? parsePrometheus(await response.text()) : [];
  } catch {
    return [];
  }
}

type Filter = Record<string, string | RegExp>;

function matches(s: Sample, name: string, filter: Filter): boolean {
  if (s.name !== name) return false;
  return Object.entries(filter).every(([k, v]) => (typeof v === 'string' ? s.labels[k] === v : v.test(s.labels[k] ?? '')));
}

/** Sum of `name` over the samples matching `filter`; undefined when there is none. */
export function total(scrape: Scrape, name: string, filter: Filter = {}): number | undefined {
  const hits = scrape.filter((s) => matches(s, name, filter));
  return hits.length ? hits.reduce((a, s) => a + s.value, 0) : undefined;
}

/** `total(after) − total(before)` (a counter's increase); undefined when `after` lacks it. */
export function increase(before: Scrape, after: Scrape, name: string, filter: Filter = {}): number | undefined {
  const b = total(after, name, filter);
  return b === undefined ? undefined : b - (total(before, name, filter) ?? 0);
}

/** Sums of `name` by the value of `labelName`, as `after − before`. */
export function increaseBy(before: Scrape, after: Scrape, name: string, labelName: string, filter: Filter = {}): Record<string, number> {
  const sum = (s: Scrape) => {
    const out: Record<string, number> = {};
    for (const x of s) if (matches(x, name, filter)) out[x.labels[labelName] ?? ''] = (out[x.labels[labelName] ?? ''] ?? 0) + x.value;
    return out;
  };
  const [a, b] = [sum(before), sum(after)];
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
}

/**
 * The `q` quantile (0..1) of histogram `base` (its `_bucket` series) over what was observed between
 * the scrapes, as the upper bound of the bucket it falls in; undefined without observations.
 */
export function histogramQuantile(before: Scrape, after: Scrape, base: string, q: number, filter: Filter = {}): number | undefined {
  const buckets = (s: Scrape) => {
    const out = new Map<number, number>();
    for (const x of s) {
      if (!matches(x, `${base}_bucket`, filter)) continue;
      const le = x.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(x.labels.le);
      out.set(le, (out.get(le) ?? 0) + x.value);
    }
    return out;
  };
  const [a, b] = [buckets(before), buckets(after)];
  const deltas = [...b].map(([le, v]) => [le, v - (a.get(le) ?? 0)] as const).sort((x, y) => x[0] - y[0]);
  const count = deltas.at(-1)?.[1] ?? 0;
  if (count <= 0) return undefined;
  const found = deltas.find(([, v]) => v >= q * count);
  return found?.[0];
}
