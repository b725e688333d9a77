/**
 * Defaults shared by several components (configuration, client, worker, Redis keys), written once.
 * The task queue's default is `defaultTaskQueue` in `messages.ts`, beside the rest of the contract.
 */

/** The Temporal namespace when none is configured. */
export const defaultNamespace = 'default';

/** The prefix of every Redis key when none is configured. */
export const defaultRedisPrefix = 'halflife';
