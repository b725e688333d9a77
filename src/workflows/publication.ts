/**
 * What the outside sees of a credential, kept current by the main loop: the Redis mirror (a local
 * activity: one marker event, no workflow task of its own) and the search attributes the Web UI
 * and `list` filter on. A change is noticed by comparing what consumers see (version, status,
 * expiry) with what was last shown; a failed publication is retried with backoff until the mirror
 * holds the workflow's revision.
 */
import { isCancellation, log, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { CredentialActivities, PublishCredentialInput, PublishResult } from '../activities/contracts';
import { expiresAtSearchAttribute, lastErrorCodeSearchAttribute, nextRefreshAtSearchAttribute, statusSearchAttribute } from '../search-attributes';
import { unstamp } from './decision-clock';
import { scheduledAt } from './next-step';
import type { CredentialState } from './state';

const mirror = proxyLocalActivities<CredentialActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 2, initialInterval: '200 milliseconds' },
  summary: 'publish the current token and status to Redis',
});

/** Longest wait between two publication attempts while Redis is failing. */
export const maxPublishBackoffMs = 300_000;

/**
 * Notes a change of what consumers see since it was last shown: bumps the revision and keeps the
 * search attributes current. Returns the event a publication carries, or undefined for no change.
 */
export function noteChange(state: CredentialState): 'rotated' | 'status' | undefined {
  const now = { version: state.version, status: state.status, expiresAt: state.token?.expiresAt };
  const before = state.mirror.shown;
  if (before && before.version === now.version && before.status === now.status && before.expiresAt === now.expiresAt) return undefined;
  if (!before || before.status !== now.status || before.expiresAt !== now.expiresAt) {
    const next = state.round?.nextAttemptAt ?? scheduledAt(state);
    upsertSearchAttributes([
      { key: statusSearchAttribute, value: now.status },
      ...(now.expiresAt !== undefined ? [{ key: expiresAtSearchAttribute, value: new Date(now.expiresAt) }] : []),
      { key: lastErrorCodeSearchAttribute, value: state.lastError?.code ?? null },
      { key: nextRefreshAtSearchAttribute, value: next !== undefined && state.status !== 'revoked' ? new Date(next) : null },
    ]);
  }
  state.mirror.shown = now;
  state.revision++;
  const event = before && before.version === now.version ? 'status' : 'rotated';
  state.mirror.event = state.mirror.event === 'rotated' ? 'rotated' : event;
  return event;
}

/** The publication of the state as it is now: the record Redis holds and the event it carries. */
export function publicationOf(state: CredentialState, event: PublishCredentialInput['event']): Omit<PublishCredentialInput, 'stamp'> {
  const t = event === 'revoked' ? undefined : state.token;
  return {
    credentialId: state.id,
    event,
    record: {
      accessToken: t?.accessToken,
      tokenType: t?.tokenType,
      expiresAt: t?.expiresAt,
      scope: t?.scope,
      metadata: t?.metadata,
      version: state.version,
      revision: state.revision,
      status: state.status,
      generation: state.createdAt,
    },
  };
}

/** Applies what a publication of `revision` did: the mirror holds it, is off, or is retried with backoff. */
export function applyPublished(state: CredentialState, revision: number, result: PublishResult | 'failed', now: () => number): void {
  if (result !== 'failed') {
    if (result === 'off') state.mirror.off = true;
    state.mirror = { ...state.mirror, revision: Math.max(state.mirror.revision, revision), failures: 0, retryAt: undefined, event: undefined };
    return;
  }
  const failures = state.mirror.failures + 1;
  const backoff = Math.min(maxPublishBackoffMs, 1_000 * 2 ** Math.min(failures, 20));
  state.mirror = { ...state.mirror, failures, retryAt: now() + backoff };
  log.warn('publishing to Redis failed; retrying later (the workflow state stays the source of truth)', { credentialId: state.id, revision, failures });
}

/**
 * Publishes the current revision to Redis; a failure is logged and scheduled for a retry, never
 * thrown. With `stamp`, resolves with the instant the activity answered (see decision-clock.ts).
 */
export async function publish(state: CredentialState, now: () => number, event: PublishCredentialInput['event'] = state.mirror.event ?? 'status', stamp = false): Promise<number | undefined> {
  const revision = state.revision;
  try {
    const { result, at } = unstamp(await mirror.publishCredential({ ...publicationOf(state, event), ...(stamp ? { stamp } : {}) }));
    applyPublished(state, revision, result === true ? 'written' : result === false ? 'stale' : result, now);
    return at;
  } catch (err) {
    if (isCancellation(err)) throw err;
    applyPublished(state, revision, 'failed', now);
    return undefined;
  }
}
