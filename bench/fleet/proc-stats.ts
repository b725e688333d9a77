/**
 * CPU time and memory of the benchmark's processes, read from Linux's /proc: `utime + stime` of
 * /proc/PID/stat (clock ticks), VmRSS and VmHWM (the peak) of /proc/PID/status, the bytes and
 * write calls of /proc/PID/io, and the machine's busy share from /proc/stat. Elsewhere every
 * figure reads as undefined.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 almost everywhere). */
function ticks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** One reading of a process. */
export interface ProcReading {
  /** CPU seconds (user + system) since the process started. */
  cpuS: number;
  rssMb: number;
  /** Peak RSS so far. */
  hwmMb: number;
  /** Bytes the process caused to be written to storage, and its write calls. */
  writeBytes?: number;
  writeCalls?: number;
}

/** Reads process `pid`, or undefined when it is gone (or not Linux). */
export function readProc(pid: number): ProcReading | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const status = read(`/proc/${pid}/status`);
  if (!stat || !status) return undefined;
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / ticks();
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
  const io = read(`/proc/${pid}/io`);
  const ioField = (key: string) => (io ? Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(io)?.[1]) : undefined);
  return { cpuS, rssMb: kb('VmRSS'), hwmMb: kb('VmHWM'), writeBytes: ioField('write_bytes'), writeCalls: ioField('syscw') };
}

/** Busy and total CPU time of the whole machine (seconds over all cores), from /proc/stat. */
export function readMachine(): { busyS: number; totalS: number } | undefined {
  const line = read('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busyS: (total - idle) / ticks(), totalS: total / ticks() };
}

/** Watches named processes: peak RSS over the samples and CPU seconds between two marks. */
export class ProcWatch {
  private readonly pids = new Map<string, number>();
  private readonly peakRss = new Map<string, number>();
  private readonly marks = new Map<string, Map<string, ProcReading>>();
  private machineMarks = new Map<string, { busyS: number; totalS: number }>();
  private timer: NodeJS.Timeout | undefined;

  /** Watches `pid` under `name` (e.g. `worker-1`, `server`). */
  add(name: string, pid: number | undefined): void {
    if (pid !== undefined && pid > 0) this.pids.set(name, pid);
  }

  /** Names watched, in the order added. */
  names(): string[] {
    return [...this.pids.keys()];
  }

  /** Samples RSS every `intervalMs` until `stop`. */
  start(intervalMs = 1000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      const r = readProc(pid);
      if (r) this.peakRss.set(name, Math.max(this.peakRss.get(name) ?? 0, r.rssMb, r.hwmMb));
    }
  }

  /** Records every process's counters (and the machine's) under `label`. */
  mark(label: string): void {
    const readings = new Map<string, ProcReading>();
    for (const [name, pid] of this.pids) {
      const r = readProc(pid);
      if (r) readings.set(name, r);
    }
    this.marks.set(label, readings);
    const m = readMachine();
    if (m) this.machineMarks.set(label, m);
  }

  /** CPU seconds of each process between marks `from` and `to`. */
  cpuBetween(from: string, to: string): Record<string, number> {
    const [a, b] = [this.marks.get(from), this.marks.get(to)];
    const out: Record<string, number> = {};
    for (const name of this.pids.keys()) {
      const [x, y] = [a?.get(name), b?.get(name)];
      if (y) out[name] = round(y.cpuS - (x?.cpuS ?? 0), 1);
    }
    return out;
  }

  /** Write calls of each process between marks (where /proc/PID/io is readable). */
  writeCallsBetween(from: string, to: string): Record<string, number> {
    const [a, b] = [this.marks.get(from), this.marks.get(to)];
    const out: Record<string, number> = {};
    for (const name of this.pids.keys()) {
      const [x, y] = [a?.get(name)?.writeCalls, b?.get(name)?.writeCalls];
      if (x !== undefined && y !== undefined) out[name] = y - x;
    }
    return out;
  }

  /** The machine's busy share (0..1 of all cores) between marks. */
  machineBusyBetween(from: string, to: string): number | undefined {
    const [a, b] = [this.machineMarks.get(from), this.machineMarks.get(to)];
    if (!a || !b || b.totalS <= a.totalS) return undefined;
    return round((b.busyS - a.busyS) / (b.totalS - a.totalS), 3);
  }

  /** Peak RSS (MB) of each process over the samples. */
  peaks(): Record<string, number> {
    return Object.fromEntries([...this.peakRss].map(([name, mb]) => [name, Math.round(mb)]));
  }
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
