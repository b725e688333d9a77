/**
 * The coordinating side of the storm harness: P caller processes (./child.ts) that each open a
 * consumer's connections once, then run jobs whose callers all start at one instant (every child
 * waits for the same `startAt`, sent after all of them answered `ready`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CallerResult, ChildJob, FromChild, LoopJob, LoopReport, StormEnvironment, StormJob, ToChild } from './protocol';

const childScript = path.join(__dirname, 'child.ts');
const root = path.join(__dirname, '..', '..');

/** How far ahead of now the barrier is set, so every child has the job before it. */
const barrierLeadMs = 100;

/** One caller's result, with the token it got. */
export interface StormCaller extends CallerResult {
  /** The access token handed out, if any. */
  accessToken?: string;
  /** Milliseconds from the barrier to the answer. */
  latencyMs: number;
}

/** What one burst over every child gave. */
export interface StormOutcome {
  /** The barrier instant (epoch ms). */
  startAt: number;
  callers: StormCaller[];
  /** Refresh tokens each baseline process held at the end. */
  heldRefreshTokens: string[];
}

class Child {
  private readonly waiting: ((message: FromChild) => void)[] = [];
  private stderr = '';

  constructor(readonly process: ChildProcess) {
    process.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    process.on('message', (message: FromChild) => this.waiting.shift()?.(message));
    process.once('exit', (code, signal) => {
      for (const resolve of this.waiting.splice(0)) resolve({ type: 'error', message: `storm child exited (${signal ?? code}): ${this.stderr}` });
    });
  }

  request(message: ToChild): Promise<FromChild> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.process.send(message);
    });
  }
}

/** `callers` split as evenly as possible over `parts`. */
export function split(callers: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(callers / parts) + (i < callers % parts ? 1 : 0));
}

/** P caller processes, ready for jobs. */
export class StormFleet {
  private constructor(private readonly children: Child[]) {}

  /** Starts `processes` children and waits until each has opened its connections. */
  static async start(env: StormEnvironment, processes: number, options: { refreshTimeoutMs?: number } = {}): Promise<StormFleet> {
    const children = Array.from({ length: processes }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      return new Child(child);
    });
    const fleet = new StormFleet(children);
    try {
      await Promise.all(children.map(async (c) => expectType(await c.request({ type: 'setup', env, refreshTimeoutMs: options.refreshTimeoutMs }), 'ready')));
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  /** Number of processes. */
  get size(): number {
    return this.children.length;
  }

  /** One burst: `job.callers` split over every child (or the first `processes`), all starting at one instant. */
  async storm(job: Omit<StormJob, 'type' | 'startAt'>, options: { processes?: number } = {}): Promise<StormOutcome> {
    const used = this.children.slice(0, options.processes ?? this.children.length);
    const startAt = Date.now() + barrierLeadMs;
    const parts = split(job.callers, used.length);
    const reports = await Promise.all(used.map(async (c, i) => expectType(await c.request({ type: 'job', job: { ...job, type: 'storm', callers: parts[i] ?? 0, startAt } }), 'storm')));
    const callers = reports.flatMap((r) =>
      r.results.map((result) => ({ ...result, ...(result.token !== undefined ? { accessToken: r.accessTokens[result.token] } : {}), latencyMs: result.endedAt - startAt })),
    );
    return { startAt, callers, heldRefreshTokens: reports.flatMap((r) => r.heldRefreshTokens) };
  }

  /** Callers that keep asking for `durationMs` (see `LoopJob`), over every child; the children's figures summed per credential. */
  async loop(job: Omit<LoopJob, 'type' | 'startAt'>): Promise<LoopReport['perCredential']> {
    const startAt = Date.now() + barrierLeadMs;
    const parts = split(job.callers, this.children.length);
    const reports = await Promise.all(this.children.map(async (c, i) => expectType(await c.request({ type: 'job', job: { ...job, type: 'loop', callers: parts[i] ?? 0, startAt } as ChildJob }), 'loop')));
    return job.credentialIds.map((credentialId, i) => {
      const rows = reports.map((r) => r.perCredential[i]!);
      const sum = (pick: (row: (typeof rows)[number]) => Record<string, number>) => {
        const total: Record<string, number> = {};
        for (const row of rows) for (const [k, v] of Object.entries(pick(row))) total[k] = (total[k] ?? 0) + v;
        return total;
      };
      return {
        credentialId,
        requests: rows.reduce((n, r) => n + r.requests, 0),
        byStatus: sum((r) => r.byStatus),
        byCode: sum((r) => r.byCode),
        maxLatencyMs: Math.max(...rows.map((r) => r.maxLatencyMs)),
        lastVersion: Math.max(...rows.map((r) => r.lastVersion)),
      };
    });
  }

  /** Closes every child's connections and waits for it to exit. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        const child = c.process;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        if (child.connected) child.send({ type: 'exit' } satisfies ToChild);
        else child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function expectType<T extends FromChild['type']>(message: FromChild, type: T): Extract<FromChild, { type: T }> {
  if (message.type === 'error') throw new Error(`storm child: ${message.message}`);
  if (message.type !== type) throw new Error(`storm child answered ${message.type}, expected ${type}`);
  return message as Extract<FromChild, { type: T }>;
}
