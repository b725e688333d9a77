/**
 * What the OpenID peer saw: counters, one record per grant, and a log of token requests with
 * their timestamps (epoch ms, the same clock as the test process on this machine). Tokens are
 * never logged; a request names the refresh tokens it presented and received by fingerprint
 * (first 16 hex digits of their SHA-256), which a test can compute from a token it holds.
 */
import { createHash } from 'node:crypto';

/** The fingerprint of a token as it appears in the log. */
export function fingerprint(token) {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

const MAX_EVENTS = 100_000;

const zeroCounters = () => ({
  tokenRequests: 0,
  refreshGrants: 0,
  replays: 0,
  graceReplays: 0,
  grantsRevoked: 0,
  clientCredentialsGrants: 0,
  authorizationCodeGrants: 0,
  deviceCodeGrants: 0,
  injectedFailures: 0,
  abortedAnswers: 0,
  errors: {},
});

/** Creates an empty ledger. `isGrantLive(grantId)` tells whether the provider still holds a grant. */
export function createLedger({ isGrantLive }) {
  let counters = zeroCounters();
  const grants = new Map();
  const events = [];
  let seq = 0;
  /** Bumped by every change to the log; each event carries the version of its last change. */
  let version = 0;
  let waiters = [];

  const notify = (event) => {
    version += 1;
    if (event) event.version = version;
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  };

  const grantRecord = (grantId) => {
    let record = grants.get(grantId);
    if (!record) {
      record = { grantId, clientId: undefined, accountId: undefined, createdAt: Date.now(), revoked: false, revokedAt: undefined, revokedBy: undefined, refreshCount: 0, lastRefreshAt: undefined, replays: 0, graceReplays: 0 };
      grants.set(grantId, record);
    }
    return record;
  };

  return {
    /** A token request arrived: returns its (mutable) event, already in the log. */
    openEvent(receivedAt) {
      counters.tokenRequests += 1;
      const event = { seq: ++seq, receivedAt, decidedAt: undefined, answeredAt: undefined, aborted: false, status: undefined };
      events.push(event);
      if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
      notify(event);
      return event;
    },
    /** The provider decided (or a failure was injected): count the outcome. */
    decided(event) {
      if (event.injected) counters.injectedFailures += 1;
      if (event.error) counters.errors[event.error] = (counters.errors[event.error] ?? 0) + 1;
      if (event.status === 200 && !event.injected) {
        if (event.grantType === 'refresh_token') counters.refreshGrants += 1;
        if (event.grantType === 'client_credentials') counters.clientCredentialsGrants += 1;
        if (event.grantType === 'authorization_code') counters.authorizationCodeGrants += 1;
        if (event.grantType === 'urn:ietf:params:oauth:grant-type:device_code') counters.deviceCodeGrants += 1;
      }
      if (event.grantType === 'refresh_token' && event.grantId) {
        const record = grantRecord(event.grantId);
        if (event.replay) record.replays += 1;
        if (event.graceReplay) record.graceReplays += 1;
        if (event.status === 200 || (event.injected === 'after' && event.rotated)) {
          record.refreshCount += 1;
          record.lastRefreshAt = event.decidedAt;
        }
      }
      if (event.replay) counters.replays += 1;
      if (event.graceReplay) counters.graceReplays += 1;
      notify(event);
    },
    /** The answer left (or the caller went away first). */
    answered(event, { aborted }) {
      event.answeredAt = Date.now();
      event.aborted = aborted;
      if (aborted) counters.abortedAnswers += 1;
      notify(event);
    },
    /** The provider stored a new grant. */
    grantSaved(grantId, payload) {
      const record = grantRecord(grantId);
      record.clientId = payload.clientId;
      record.accountId = payload.accountId;
    },
    /** A grant was revoked (`by`: replay, admin, revocation, or the provider's route name). */
    grantRevoked(grantId, by) {
      const record = grantRecord(grantId);
      if (record.revoked) return;
      record.revoked = true;
      record.revokedAt = Date.now();
      record.revokedBy = by;
      counters.grantsRevoked += 1;
      notify();
    },
    /** Counters, plus the number of grants the provider still holds. */
    stats() {
      let activeGrants = 0;
      for (const record of grants.values()) if (!record.revoked && isGrantLive(record.grantId)) activeGrants += 1;
      return { ...counters, errors: { ...counters.errors }, activeGrants };
    },
    /** One grant's record, or undefined. */
    grant(grantId) {
      const record = grants.get(grantId);
      return record ? { ...record, live: !record.revoked && isGrantLive(grantId) } : undefined;
    },
    /** Events changed after log version `since`; waits up to waitMs for a change when there is none yet. */
    async changes(since, waitMs) {
      const pick = () => events.filter((event) => event.version > since);
      let found = pick();
      const deadline = Date.now() + waitMs;
      while (found.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        found = pick();
      }
      return { events: found, version };
    },
    /** Zeroes the counters and forgets the log (grant records stay). */
    reset() {
      counters = zeroCounters();
      events.length = 0;
      notify();
    },
  };
}
