/**
 * The Grafana dashboard in deploy/grafana/halflife.json, read as its queries and the metric names
 * they use, and the names a Prometheus exposition text (or a prom-client registry) exports, so tests
 * can check that every query names a metric the service really exports.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';

/** Where the dashboard is. */
export const dashboardFile = path.join(__dirname, '..', '..', 'deploy', 'grafana', 'halflife.json');

/** Every PromQL expression of the dashboard: panel targets, and the metric of each `label_values(metric, label)` variable. */
export function dashboardExpressions(file = dashboardFile): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'expr' && typeof item === 'string') out.push(item);
        else if (key === 'definition' && typeof item === 'string') out.push(/^label_values\(([^,)]+)/.exec(item)?.[1]?.trim() ?? item);
        else walk(item);
      }
    }
  };
  walk(JSON.parse(fs.readFileSync(file, 'utf8')));
  return out;
}

const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/** The metric names a PromQL expression selects (functions, label matchers, ranges, grouping labels and variables left out). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // grouping label lists
    .replace(/\$\{?\w+\}?/g, '') // dashboard variables
    .replace(/\b\d+(?:\.\d+)?(?:ms|[smhdwy])?\b/g, ''); // numbers and durations (`offset 5m`)
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [token, call] = [match[0].replace(/\s*\($/, ''), match[1]];
    if (call || keywords.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

/** The series names an exposition text exports: each `# TYPE` family, with `_bucket`, `_sum`, `_count` for histograms and summaries. */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [name, type] = [match[1]!, match[2]!];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** The series names a prom-client registry exports (every metric it holds, observed or not). */
export async function registryNames(registry: Registry): Promise<Set<string>> {
  return exportedNames(await registry.metrics());
}
