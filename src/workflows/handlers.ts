/**
 * The credential's message handlers. Each one changes the state synchronously (deciding with the
 * pure functions of ./refresh-requests.ts) and then only waits: no handler issues a command, so
 * the main loop is the one place that calls the provider (see ./main-loop.ts for why).
 */
import { condition, log, patched, type ApplicationFailure } from '@temporalio/workflow';
import type { CredentialDescription, CredentialStatus, RefreshOutcome, TokenView } from '../credential';
import type { ReauthorizeRequest, ReconfigureRequest, RefreshRequest, RegisterOutcome, RegisterRequest } from '../messages';
import { declareClientSecretExpiry, describeState, hasValidToken, learnLifetime, sameJson, startRound, tokenView, touch } from './credential-state';
import { budgetFailure, credentialExistsFailure, reauthRequiredFailure, revokedFailure, upstreamFailingFailure } from './failures';
import { forceBudgetOf } from './force-budget';
import { decideRefresh, waiterOutcome, waiterSettled, type Join, type RefreshFailure } from './refresh-requests';
import type { CredentialState } from './state';

function toFailure(state: CredentialState, f: RefreshFailure): ApplicationFailure {
  switch (f.failure) {
    case 'revoked':
      return revokedFailure();
    case 'reauth':
      return reauthRequiredFailure(state.lastError);
    case 'budget':
      return budgetFailure(f.code, f.nextAllowedAt);
    case 'upstream':
      return upstreamFailingFailure(state.lastError);
  }
}

function isFailure(value: RefreshOutcome | RefreshFailure): value is RefreshFailure {
  return 'failure' in value;
}

/** Waits for `join` to settle and answers it. */
async function awaitRound(state: CredentialState, req: RefreshRequest, join: Join): Promise<RefreshOutcome> {
  await condition(() => waiterSettled(state, join));
  const outcome = waiterOutcome(state, req, join, Date.now());
  if (isFailure(outcome)) throw toFailure(state, outcome);
  return outcome;
}

/** Applies a refresh request; returns the round it joined or started, or the answer/failure it got at once. */
function admitRefresh(state: CredentialState, req: RefreshRequest): { join: Join } | { answer: RefreshOutcome } {
  const now = Date.now();
  if (req.staleVersion !== undefined && req.staleVersion >= state.version) learnLifetime(state, now);
  const decision = decideRefresh(state, req, now, forceBudgetOf(state.provider, state.config));
  switch (decision.kind) {
    case 'answer':
      state.counts.coalesced++;
      return { answer: decision.outcome };
    case 'fail':
      throw toFailure(state, decision);
    case 'join':
      state.counts.coalesced++;
      return { join: decision.join };
    case 'start':
      return { join: { seq: startRound(state, decision.cause, decision.forced, now), attempt: 1, version: state.version } };
  }
}

/** `refresh` update: the current token if yours was superseded or a budget declines; else the outcome of one shared refresh. */
export async function onRefresh(state: CredentialState, req: RefreshRequest | undefined): Promise<RefreshOutcome> {
  const request = req ?? {};
  const admitted = admitRefresh(state, request);
  return 'answer' in admitted ? admitted.answer : awaitRound(state, request, admitted.join);
}

/** `forceRefresh` signal: the same decision as `refresh`, without waiting; a failure is logged (signals never throw). */
export function onForceRefresh(state: CredentialState, req: RefreshRequest | undefined): void {
  try {
    admitRefresh(state, req ?? {});
  } catch (err) {
    log.info('forced refresh not started', { credentialId: state.id, reason: (err as Error).message });
  }
}

/** Replaces the grant (and, if given, the configuration) and starts a round with it; resolves with its first token. */
async function replaceGrant(state: CredentialState, req: ReauthorizeRequest): Promise<TokenView> {
  const now = Date.now();
  state.applied = { grant: { ...(req.grant ?? state.grant) }, ...(req.config ? { config: req.config } : {}) };
  if (req.grant) {
    state.grant = { ...req.grant };
    // A new grant: the old refresh token's expiry no longer applies (the next answer or the preset says the new one's).
    state.refreshTokenExpiresAt = undefined;
    state.refreshTokenWarnedFor = undefined;
  }
  if (req.config) {
    state.config = req.config;
    declareClientSecretExpiry(state, req.clientSecretExpiresAt);
  }
  if (req.settings) state.settings = req.settings;
  state.grantGeneration++;
  state.lastError = undefined;
  state.reprobe = undefined;
  if (state.status === 'reauth_required' || !hasValidToken(state, now)) state.status = 'refreshing';
  const join: Join = { seq: startRound(state, 'reauthorize', false, now), attempt: 1, version: state.version };
  await condition(() => waiterSettled(state, join));
  const status = state.status as CredentialStatus;
  if (status === 'revoked') throw revokedFailure();
  const token = tokenView(state);
  if (state.lastRound?.seq === join.seq && state.lastRound.result !== 'rejected' && token) return token;
  if (status === 'reauth_required') throw reauthRequiredFailure(state.lastError);
  if (token && hasValidToken(state, Date.now()) && state.version > join.version) return token;
  throw upstreamFailingFailure(state.lastError);
}

/**
 * Marks runs in which a `reauthorize` with `keepToken` stored a grant without a refresh (runs
 * recorded before it never sent `keepToken`, so they never reach the check).
 */
export const grantMaterialPatch = 'halflife-grant-material';

/** Stores new grant material (a pushed ticket) for the next refresh; the current, valid token stays. */
function keepGrantForNextRefresh(state: CredentialState, grant: NonNullable<ReauthorizeRequest['grant']>): TokenView {
  state.grant = { ...grant };
  state.applied = { grant: { ...grant } };
  state.grantGeneration++;
  touch(state);
  const token = tokenView(state);
  if (!token) throw upstreamFailingFailure(state.lastError); // unreachable: the caller checked that a valid token is held
  return token;
}

/**
 * `reauthorize` update: a new grant replaces the failing one (and any attempt still using it).
 * The grant already applied, sent again (a retried or concurrent call), joins the round it started
 * or answers with its outcome: it is never sent to the provider twice.
 */
export async function onReauthorize(state: CredentialState, req: ReauthorizeRequest): Promise<TokenView> {
  if (state.status === 'revoked') throw revokedFailure();
  if (req.keepToken === true && req.grant && state.status !== 'reauth_required' && hasValidToken(state, Date.now()) && patched(grantMaterialPatch)) {
    return keepGrantForNextRefresh(state, req.grant);
  }
  const again = state.applied && req.grant && sameJson(req.grant, state.applied.grant) && (req.config === undefined || sameJson(req.config, state.applied.config ?? state.config));
  if (!again) return replaceGrant(state, req);
  const round = state.round;
  if (round?.cause === 'reauthorize') await awaitRound(state, {}, { seq: round.seq, attempt: round.attempt, version: state.version });
  const token = tokenView(state);
  if (state.status === 'reauth_required') throw reauthRequiredFailure(state.lastError);
  if (token && hasValidToken(state, Date.now())) return token;
  throw upstreamFailingFailure(state.lastError);
}

/** `register` update: no-op for the registration already applied; refused or applied once for another one. */
export async function onRegister(state: CredentialState, req: RegisterRequest): Promise<RegisterOutcome> {
  if (state.status === 'revoked') throw revokedFailure();
  if (req.fingerprint === state.fingerprint) {
    const first = !state.registrationAnswered;
    state.registrationAnswered = true;
    const round = state.round;
    if (!hasValidToken(state, Date.now()) && round) {
      await awaitRound(state, {}, { seq: round.seq, attempt: round.attempt, version: state.version });
    }
    const token = tokenView(state);
    if (!token || !hasValidToken(state, Date.now())) throw upstreamFailingFailure(state.lastError);
    return { result: first ? 'created' : 'unchanged', token };
  }
  if (req.mode === 'create') throw credentialExistsFailure(state.id);
  state.fingerprint = req.fingerprint;
  state.registrationAnswered = true;
  if (req.connect) state.connect = req.connect;
  if (req.parent !== undefined && req.parent !== state.parent) {
    state.parent = req.parent;
    state.parentVersion = undefined;
  }
  if (req.policy) state.policy = { ...state.policy, ...req.policy };
  if (req.grantFingerprint === state.grantFingerprint && state.status !== 'reauth_required') {
    // Same grant, new configuration: applied without a refresh (the current token stays valid).
    state.config = req.config;
    state.settings = req.settings;
    declareClientSecretExpiry(state, req.clientSecretExpiresAt);
    touch(state);
    const token = tokenView(state);
    if (token && hasValidToken(state, Date.now())) return { result: 'replaced', token };
  }
  state.grantFingerprint = req.grantFingerprint;
  const token = await replaceGrant(state, { grant: req.grant, config: req.config, settings: req.settings, clientSecretExpiresAt: req.clientSecretExpiresAt });
  return { result: 'replaced', token };
}

/** `reconfigure` update: new policy or settings; a credential parked for a configuration error is tried again at once. */
export function onReconfigure(state: CredentialState, req: ReconfigureRequest): CredentialDescription {
  if (state.status === 'revoked') throw revokedFailure();
  if (req.policy) state.policy = { ...state.policy, ...req.policy };
  if (req.config) state.config = req.config;
  if (req.settings) state.settings = req.settings;
  if (req.clientSecretExpiresAt !== undefined) declareClientSecretExpiry(state, req.clientSecretExpiresAt ?? undefined);
  if (req.config && state.status === 'reauth_required' && state.lastError?.kind === 'configuration' && !state.round) {
    state.reprobe = undefined;
    startRound(state, 'reprobe', false, Date.now());
  }
  touch(state);
  return describeState(state, Date.now());
}

/** `revoke` update: ends the credential; the main loop publishes the tombstone and completes. */
export function onRevoke(state: CredentialState, reason: string | undefined): CredentialDescription {
  if (state.status !== 'revoked') log.info('credential revoked', { credentialId: state.id, reason });
  state.status = 'revoked';
  touch(state);
  return describeState(state, Date.now());
}
