/**
 * The ready-made visibility queries of docs/operations.md ("Reading the Web UI"), read from the
 * document itself so the tests run exactly what operators copy: each table row's question and its
 * `temporal workflow list --query "…"`, with the `$(date -u -d '<offset>' +%FT%TZ)` instants
 * computed as GNU date would.
 */
import fs from 'node:fs';
import path from 'node:path';

/** One documented query. */
export interface DocumentedQuery {
  question: string;
  /** The query as written, with its `$(date …)` placeholders. */
  template: string;
}

/** Where the queries are documented. */
export const operationsDoc = path.join(__dirname, '..', '..', 'docs', 'operations.md');

/** Every `| question | \`temporal workflow list --query "…"\` |` row of the document. */
export function documentedQueries(file = operationsDoc): DocumentedQuery[] {
  const rows: DocumentedQuery[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\| ([^|]+) \| `temporal workflow list --query "(.+)"` \|$/.exec(line);
    if (match) rows.push({ question: match[1]!.trim(), template: match[2]! });
  }
  return rows;
}

const units: Record<string, number> = { sec: 1_000, second: 1_000, min: 60_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The query with each `$(date -u -d '<±n unit>' +%FT%TZ)` replaced by that instant from `now`
 * (`shift` overrides the offset of every placeholder, for tests that cannot wait an hour).
 */
export function instantiate(template: string, now: number, shift?: (offsetMs: number) => number): string {
  return template.replace(/\$\(date -u -d '([+-]\d+) (\w+?)s?' \+%FT%TZ\)/g, (_all, n: string, unit: string) => {
    const ms = units[unit];
    if (ms === undefined) throw new Error(`unknown date unit ${unit} in a documented query`);
    const offset = Number(n) * ms;
    return new Date(now + (shift ? shift(offset) : offset)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  });
}

/** The documented query for `question` (fails loudly when the document no longer has it). */
export function documentedQuery(question: string): DocumentedQuery {
  const found = documentedQueries().find((q) => q.question === question);
  if (!found) throw new Error(`docs/operations.md has no query for "${question}"`);
  return found;
}
