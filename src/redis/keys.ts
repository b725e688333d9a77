/**
 * Redis key and channel names. Every name carries a configurable prefix and the Temporal namespace,
 * so several deployments or tenants can share one Redis without colliding.
 */

/** Where a deployment's keys live. */
export interface KeySpace {
  /** @default 'halflife' */
  prefix: string;
  /** The Temporal namespace. @default 'default' */
  namespace: string;
}

/** The hash holding a credential's cached token. */
export function credentialKey(space: KeySpace, credentialId: string): string {
  return `${space.prefix}:${space.namespace}:credential:${credentialId}`;
}

/** The pub/sub channel of one credential's events. */
export function eventChannel(space: KeySpace, credentialId: string): string {
  return `${space.prefix}:${space.namespace}:events:${credentialId}`;
}

/** The pattern matching every credential's event channel. */
export function eventPattern(space: KeySpace): string {
  return `${space.prefix}:${space.namespace}:events:*`;
}

/** The credential id in an event channel name. */
export function credentialIdOfChannel(space: KeySpace, channel: string): string | undefined {
  const head = `${space.prefix}:${space.namespace}:events:`;
  return channel.startsWith(head) ? channel.slice(head.length) : undefined;
}

/** The write-ahead entry of one refresh activity's answer (same for every attempt of that activity). */
export function answerKey(space: KeySpace, credentialId: string, runId: string, activityId: string): string {
  return `${space.prefix}:${space.namespace}:answer:${credentialId}:${runId}:${activityId}`;
}
