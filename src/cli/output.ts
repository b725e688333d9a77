/**
 * How the CLI prints: `--json` writes one JSON document (the HTTP API's shapes) per result, the
 * default writes short human lines. Errors go to stderr, as `{"error":{...}}` with `--json`.
 */
import type { HalflifeError } from '../errors';

/** Prints command results in the chosen format. */
export class Output {
  constructor(
    /** Print JSON instead of human lines. */
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Prints one result: `value` as JSON, or the human lines. */
  result(value: unknown, human: string | readonly string[]): void {
    if (this.json) this.out.write(`${JSON.stringify(value)}\n`);
    else this.out.write(`${typeof human === 'string' ? human : human.join('\n')}\n`);
  }

  /** A progress note for people (stderr, so stdout stays clean for pipes); silent with `--json`. */
  note(message: string): void {
    if (!this.json) this.err.write(`${message}\n`);
  }

  /** Prints an error: its message (and field), or `{"error":{code,message,field}}` with `--json`. */
  error(err: unknown): void {
    const e = err as Partial<HalflifeError> & { field?: string };
    const message = err instanceof Error ? err.message : String(err);
    if (this.json) {
      const code = typeof e.code === 'string' ? e.code : 'error';
      this.err.write(`${JSON.stringify({ error: { code, message, ...(e.field ? { field: e.field } : {}) } })}\n`);
    } else {
      this.err.write(`halflife: ${message}\n`);
    }
  }
}

/** "in 4m 10s", "3s ago": an instant relative to `now`. */
export function relativeTime(at: number, now = Date.now()): string {
  const delta = at - now;
  const text = duration(Math.abs(delta));
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** "1h 2m", "4m 10s", "3s", "850ms". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** A secret shown by its last four characters only: `…a1b2`. */
export function lastFour(secret: string): string {
  return `…${secret.slice(-4)}`;
}

/** Left-aligned columns for tables. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}
