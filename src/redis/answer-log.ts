/**
 * The write-ahead log of provider answers in Redis: the encrypted raw answer of a refresh, written
 * the moment its bytes arrive, before the heartbeat that makes it durable in Temporal. The write
 * is handed to the kernel synchronously (ioredis writes the command to its socket in the call),
 * so a worker killed microseconds later still leaves it in Redis, where the next attempt of the
 * same activity finds it before it would call the provider. Best effort: Redis is optional and a
 * failed write only leaves the heartbeat.
 */
import type { Redis } from 'ioredis';
import { answerKey, type KeySpace } from './keys';

/** How long an entry is kept: far longer than any retry of the activity takes. */
export const answerTtlMs = 3_600_000;

/** Where one activity's answer is logged. */
export interface AnswerSlot {
  credentialId: string;
  runId: string;
  activityId: string;
}

/** Reads and writes logged answers (values are opaque, already encrypted strings). */
export class AnswerLog {
  constructor(
    private readonly redis: Redis,
    private readonly space: KeySpace,
  ) {}

  /** Starts the write of `sealed` (the write is on the socket when this returns); resolves when Redis answered. */
  write(slot: AnswerSlot, sealed: string): Promise<unknown> {
    return this.redis.set(answerKey(this.space, slot.credentialId, slot.runId, slot.activityId), sealed, 'PX', answerTtlMs).catch(() => undefined);
  }

  /** The logged answer of the slot, if any. */
  async read(slot: AnswerSlot): Promise<string | undefined> {
    const value = await this.redis.get(answerKey(this.space, slot.credentialId, slot.runId, slot.activityId)).catch(() => null);
    return value ?? undefined;
  }

  /** Drops the entry once the answer is durable elsewhere. */
  async forget(slot: AnswerSlot): Promise<void> {
    await this.redis.del(answerKey(this.space, slot.credentialId, slot.runId, slot.activityId)).catch(() => undefined);
  }
}
