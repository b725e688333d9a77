/**
 * Rotation and status events from Redis pub/sub, on a dedicated subscriber connection that is
 * opened on first use and closed when the last listener leaves.
 */
import type { Redis } from 'ioredis';
import { credentialIdOfChannel, eventChannel, eventPattern, type KeySpace } from '../redis/keys';
import type { CredentialEvent } from '../redis/token-cache';

/** Receives credential events. */
export type CredentialListener = (event: CredentialEvent) => void;

/** Fans Redis events out to listeners by credential id (or `*` for all). */
export class Subscriptions {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<CredentialListener>>();

  constructor(
    private readonly redis: Redis,
    private readonly space: KeySpace,
    /** Called for every event before listeners (the client drops stale cache entries). */
    private readonly onEvent: (event: CredentialEvent) => void,
  ) {}

  /** Adds a listener for one credential or `*`; resolves once Redis confirmed the subscription. */
  async add(id: string, listener: CredentialListener): Promise<() => Promise<void>> {
    const subscriber = this.connection();
    let set = this.listeners.get(id);
    if (!set) {
      // Registered only once Redis confirmed, so a failed subscription is retried by the next call.
      if (id === '*') await subscriber.psubscribe(eventPattern(this.space));
      else await subscriber.subscribe(eventChannel(this.space, id));
      set = this.listeners.get(id) ?? new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(id) !== set) return;
      this.listeners.delete(id);
      if (id === '*') await subscriber.punsubscribe(eventPattern(this.space));
      else await subscriber.unsubscribe(eventChannel(this.space, id));
    };
  }

  /** Closes the subscriber connection. */
  close(): void {
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    // The caller's connection may fail fast (no offline queue, lazy connect); a subscriber must
    // instead queue its SUBSCRIBE until connected and resubscribe after reconnecting.
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, lazyConnect: false, autoResubscribe: true });
    const deliver = (channel: string, message: string) => {
      const id = credentialIdOfChannel(this.space, channel);
      if (!id) return;
      let event: CredentialEvent;
      try {
        event = JSON.parse(message) as CredentialEvent;
      } catch {
        return;
      }
      this.onEvent(event);
      for (const key of [id, '*']) for (const listener of this.listeners.get(key) ?? []) listener(event);
    };
    subscriber.on('message', deliver);
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => deliver(channel, message));
    subscriber.on('error', () => undefined); // reconnects on its own; reads fall back to queries
    this.subscriber = subscriber;
    return subscriber;
  }
}
