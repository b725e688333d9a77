/**
 * What every benchmark prints and writes: progress on stderr (one rewritten line on a terminal,
 * plain lines otherwise), the machine it ran on, and its own section of BENCHMARKS.md (between
 * `<!-- bench:NAME -->` markers, so each benchmark rewrites only its part).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** BENCHMARKS.md at the repository root. */
export const benchmarksFile = path.join(__dirname, '..', 'BENCHMARKS.md');

/** A progress reporter for `name`: `step(i, n, label)` and `log(line)`, both on stderr. */
export function progress(name: string) {
  const tty = process.stderr.isTTY === true;
  let open = false;
  const clear = () => {
    if (open) process.stderr.write('\n');
    open = false;
  };
  return {
    step(i: number, n: number, label: string) {
      const width = 20;
      const done = Math.round((width * (i - 1)) / n);
      const line = `[${name}] [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${i}/${n} ${label}`;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
        open = true;
      } else {
        process.stderr.write(`${line}\n`);
      }
    },
    log(line: string) {
      clear();
      process.stderr.write(`[${name}] ${line}\n`);
    },
    done() {
      clear();
    },
  };
}

/** First line of `command --version`, or 'unknown'. */
export function versionOf(command: string, args = ['--version']): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The machine the figures come from, as Markdown list items. */
export function machineLines(versions: { temporalCli: string; redisServer: string }): string[] {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  return [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length}, shared with other work (load average at the end: ${load})`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node ${process.version}; Temporal CLI: ${versions.temporalCli}; Redis: ${versions.redisServer}`,
  ];
}

/** Replaces (or appends) the section of `name` in BENCHMARKS.md with `markdown`. */
export function writeSection(name: string, markdown: string, file = benchmarksFile): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}
