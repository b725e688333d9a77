/**
 * The credential workers of a chaos run, as child processes (test/helpers/worker-main.ts): started
 * plain or with the refresh crash seam (the worker stops at that instant of its first refresh and
 * the fleet kills it there), killed with SIGKILL or stopped with SIGTERM, every kill recorded with
 * its instant and class. A worker that exits on its own is a crash: counted, and replaced, as a
 * process supervisor would.
 */
import fs from 'node:fs';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** How a kill was aimed. */
export type KillClass = 'random' | 'before_request' | 'in_flight' | 'after_answer' | 'after_save';

/** Instants of the refresh the crash seam can stop at. */
export type SeamInstant = Extract<KillClass, 'before_request' | 'after_answer' | 'after_save'>;

/** One SIGKILL or SIGTERM sent by the run. */
export interface StopRecord {
  /** Epoch ms just before the signal was sent. */
  at: number;
  signal: 'SIGKILL' | 'SIGTERM';
  /** SIGKILL: how it was aimed. */
  killClass?: KillClass;
  pid: number;
  /** The worker killed itself in the seam; `at` is when its exit was seen (a few ms late). */
  selfKill?: boolean;
  /** Other workers running at that instant. */
  othersLive?: number;
  /** When the next worker started after it was ready (epoch ms): until then no live process could send a request. */
  nextReadyAt?: number;
}

/** One crash: a worker that exited without being told to. */
export interface CrashRecord {
  at: number;
  pid: number;
  exit: string;
  outputTail: string;
}

/** Resident set size of a process in KiB (Linux), or undefined. */
export function rssKiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The workers of the run. */
export class WorkerFleet {
  /** Every SIGKILL and SIGTERM, oldest first. */
  readonly stops: StopRecord[] = [];
  /** Workers that exited on their own. */
  readonly crashes: CrashRecord[] = [];
  private readonly running = new Set<WorkerProcess>();
  private readonly told = new WeakSet<WorkerProcess>();
  private closing = false;

  constructor(private readonly taskQueue: string, private readonly extraEnv: Record<string, string> = {}) {}

  /** The workers running now. */
  get live(): WorkerProcess[] {
    return [...this.running];
  }

  /**
   * Starts a worker. With `seam`, its first refresh stops at that instant: `hang` waits there to be
   * killed by `killAtSeam` (the kill instant is known to the millisecond), `kill` SIGKILLs itself
   * inside the seam, in its first microseconds (recorded when the exit is seen).
   */
  async start(seam?: SeamInstant, mode: 'hang' | 'kill' = 'hang'): Promise<WorkerProcess> {
    const env = { ...this.extraEnv, ...(seam ? { HALFLIFE_TEST_AT: seam, HALFLIFE_TEST_FOR: '*', HALFLIFE_TEST_DO: mode } : {}) };
    const worker = await startWorkerProcess(this.taskQueue, env);
    this.running.add(worker);
    const readyAt = Date.now();
    for (const stop of this.stops) stop.nextReadyAt ??= readyAt;
    if (seam && mode === 'kill') this.told.add(worker);
    worker.child.once('exit', (code, signal) => {
      this.running.delete(worker);
      if (seam && mode === 'kill' && signal === 'SIGKILL' && !this.stops.some((s) => s.pid === worker.pid)) {
        this.stops.push({ at: Date.now(), signal: 'SIGKILL', killClass: seam, pid: worker.pid, selfKill: true, othersLive: this.running.size });
      }
      if (this.told.has(worker) || this.closing) return;
      this.crashes.push({ at: Date.now(), pid: worker.pid, exit: signal ?? `code ${code}`, outputTail: worker.output().slice(-2000) });
      void this.replace();
    });
    return worker;
  }

  /** What a supervisor does after a crash: starts a plain worker, again every 2 s until one is up. */
  private async replace(): Promise<void> {
    while (!this.closing) {
      try {
        await this.start();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  }

  /** SIGKILL, recorded as `killClass`; resolves once it exited. */
  async kill(worker: WorkerProcess, killClass: KillClass): Promise<StopRecord> {
    this.told.add(worker);
    const record: StopRecord = { at: Date.now(), signal: 'SIGKILL', killClass, pid: worker.pid, othersLive: this.running.size - 1 };
    this.stops.push(record);
    await worker.kill();
    return record;
  }

  /** Waits until a seam worker reached its instant (it printed `AT <instant>`), then kills it there; undefined if it did not within `timeoutMs`. */
  async killAtSeam(worker: WorkerProcess, seam: SeamInstant, timeoutMs: number): Promise<StopRecord | undefined> {
    try {
      await worker.waitForOutput(`AT ${seam}`, timeoutMs);
    } catch {
      return undefined;
    }
    return this.kill(worker, seam);
  }

  /** Waits until a `kill`-mode seam worker has killed itself; false if it did not within `timeoutMs`. */
  async selfKilled(worker: WorkerProcess, timeoutMs: number): Promise<boolean> {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      worker.child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** SIGTERM (graceful: in-flight requests finish); resolves once it exited. */
  async sigterm(worker: WorkerProcess): Promise<StopRecord> {
    this.told.add(worker);
    const record: StopRecord = { at: Date.now(), signal: 'SIGTERM', pid: worker.pid, othersLive: this.running.size - 1 };
    this.stops.push(record);
    await worker.stop();
    return record;
  }

  /** SIGKILLs recorded so far (optionally since `from`). */
  kills(from = 0): StopRecord[] {
    return this.stops.filter((s) => s.signal === 'SIGKILL' && s.at >= from);
  }

  /** Resident memory of every live worker, KiB. */
  rss(): { pid: number; rssKiB?: number }[] {
    return this.live.map((w) => ({ pid: w.pid, rssKiB: rssKiB(w.pid) }));
  }

  /** Kills every worker (end of the run). */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all(this.live.map((w) => w.kill()));
  }

  /** Ends every live worker with SIGTERM (between scenarios), unrecorded. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.live.map(async (w) => {
        this.told.add(w);
        await w.stop();
      }),
    );
  }
}
