/**
 * Watches the write-ahead log of provider answers in Redis (`MONITOR`): every SET, GET and DEL of
 * an answer key with Redis's own timestamp and the client that sent it. After a loss it tells
 * whether the killed worker had logged the answer (then the next attempt should have found it:
 * a product loss) or died before it read the answer's bytes (the answer was still in flight).
 */
import { Redis } from 'ioredis';

/** One command on an answer key. */
export interface AnswerCommand {
  /** Epoch ms (Redis's clock: the same machine). */
  at: number;
  command: 'set' | 'get' | 'del';
  key: string;
  /** The client's address (one per worker connection). */
  source: string;
}

/** A running watch. */
export interface AnswerWatch {
  readonly commands: AnswerCommand[];
  /** The commands on answer keys of credential `id` in [from, to]. */
  of(id: string, from: number, to: number): AnswerCommand[];
  stop(): Promise<void>;
}

/** Starts watching answer keys (`<prefix>:<namespace>:answer:*`) on the Redis at `url`; resolves once the monitor is on. */
export async function watchAnswers(url: string): Promise<AnswerWatch> {
  const commands: AnswerCommand[] = [];
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  const monitor = await redis.monitor();
  monitor.on('error', () => undefined);
  monitor.on('monitor', (time: string, args: string[], source: string) => {
    const [name, key] = args;
    const command = name?.toLowerCase();
    if (!key || !key.includes(':answer:') || (command !== 'set' && command !== 'get' && command !== 'del')) return;
    commands.push({ at: Math.round(Number(time) * 1000), command, key, source });
  });
  return {
    commands,
    of: (id, from, to) => commands.filter((c) => c.key.includes(`:answer:${id}:`) && c.at >= from && c.at <= to),
    async stop() {
      monitor.disconnect();
      redis.disconnect();
    },
  };
}
