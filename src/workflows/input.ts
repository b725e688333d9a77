/**
 * The workflow's input contract and the state each run starts from. A new credential starts from
 * a validated `spec`; continue-as-new carries `{ state }`; a run of release v0.1.0 handed its raw
 * state over directly. Every run merges today's defaults into carried state (`migrateState`), so
 * a field added in a release is never `undefined` in a credential registered before it.
 */
import { defaultPolicy, type Grant, type ProviderName, type RefreshPolicy, type TokenSet } from '../credential';
import type { ConnectSettings } from '../connect/messages';
import { hasValidToken } from './credential-state';
import { isReprobed, reprobeDelayMs } from './schedule';
import type { CredentialState } from './state';

/** What a new credential starts from (validated by the client before the workflow starts). */
export interface CredentialSpec {
  id: string;
  provider: ProviderName;
  config: Record<string, unknown>;
  /** Config fields shown by `describe` (the provider's non-secret settings). */
  settings?: Record<string, unknown>;
  grant: Grant;
  policy?: Partial<RefreshPolicy>;
  /** A token the caller already holds (e.g. from the authorization code exchange). */
  token?: TokenSet;
  /** How to make a fresh connect link (credentials created by a connect link). */
  connect?: ConnectSettings;
  /** The parent credential of a derived one (its refresh uses the parent's current token). */
  parent?: string;
  /** When the client secret dies, as the registration declares it (epoch ms); warned of ahead. */
  clientSecretExpiresAt?: number;
}

/** Input of the credential workflow. */
export type CredentialWorkflowInput = { spec: CredentialSpec; fingerprint?: string; grantFingerprint?: string } | { state: CredentialState };

/** The state of a credential that was just registered. */
export function initialState(spec: CredentialSpec, now: number, fingerprints: { fingerprint?: string; grantFingerprint?: string } = {}): CredentialState {
  const state: CredentialState = {
    format: 2,
    id: spec.id,
    provider: spec.provider,
    config: spec.config,
    settings: spec.settings ?? {},
    grant: spec.grant,
    policy: { ...defaultPolicy, ...spec.policy },
    token: spec.token,
    version: spec.token ? 1 : 0,
    revision: 0,
    status: spec.token && spec.token.expiresAt > now ? 'active' : 'refreshing',
    recentCalls: [],
    forcedCalls: [],
    counts: { refreshes: 0, upstreamCalls: 0, failures: 0, coalesced: 0, runs: 0 },
    cyclesThisRun: 0,
    createdAt: now,
    grantGeneration: 0,
    stamp: 0,
    roundSeq: 0,
    mirror: { revision: 0, failures: 0 },
    ...(spec.connect ? { connect: spec.connect } : {}),
    ...(spec.parent !== undefined ? { parent: spec.parent } : {}),
    ...(spec.clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt: spec.clientSecretExpiresAt } : {}),
    ...(fingerprints.fingerprint !== undefined ? { fingerprint: fingerprints.fingerprint } : {}),
    ...(fingerprints.grantFingerprint !== undefined ? { grantFingerprint: fingerprints.grantFingerprint } : {}),
  };
  if (!hasValidToken(state, now)) {
    state.round = { seq: ++state.roundSeq, cause: 'initial', forced: false, attempt: 1, nextAttemptAt: now, inFlight: false };
  }
  return state;
}

/** True for the raw state a v0.1.0 run continued as new with (no `format` field). */
function isV01State(input: unknown): input is Record<string, unknown> & { id: string } {
  return typeof input === 'object' && input !== null && 'id' in input && 'counts' in input && !('format' in input);
}

/**
 * A carried state with every field today's code reads: defaults merged into the policy, new
 * fields filled, and a v0.1.0 state's status turned into the round it implies (a credential that
 * was refreshing or failing resumes at once; one parked for a configuration error is re-probed).
 */
export function migrateState(raw: Record<string, unknown>, now: number): CredentialState {
  const old = raw as unknown as Partial<CredentialState> & Pick<CredentialState, 'id' | 'provider' | 'config' | 'grant' | 'status'>;
  const state: CredentialState = {
    ...old,
    format: 2,
    settings: old.settings ?? {},
    policy: { ...defaultPolicy, ...old.policy },
    version: old.version ?? 0,
    revision: old.revision ?? 0,
    recentCalls: old.recentCalls ?? [],
    forcedCalls: old.forcedCalls ?? [],
    counts: { refreshes: 0, upstreamCalls: 0, failures: 0, coalesced: 0, runs: 0, ...old.counts },
    cyclesThisRun: old.cyclesThisRun ?? 0,
    createdAt: old.createdAt ?? now,
    grantGeneration: old.grantGeneration ?? 0,
    stamp: old.stamp ?? 0,
    roundSeq: old.roundSeq ?? 0,
    mirror: { ...(old.mirror ?? { revision: old.revision ?? 0, failures: 0 }), off: undefined },
  };
  delete state.draining;
  if (state.notifier) state.notifier = { ...state.notifier, off: undefined };
  if (state.round) state.round = { ...state.round, inFlight: false, nextAttemptAt: Math.min(state.round.nextAttemptAt, now) };
  const parked = state.status === 'reauth_required' || state.status === 'revoked';
  if (!state.round && !parked && (state.status !== 'active' || !hasValidToken(state, now))) {
    state.round = { seq: ++state.roundSeq, cause: state.token ? 'scheduled' : 'initial', forced: false, attempt: 1, nextAttemptAt: now, inFlight: false };
  }
  if (state.status === 'reauth_required' && state.lastError && isReprobed(state.provider, state.lastError) && !state.reprobe) {
    state.reprobe = { at: now + reprobeDelayMs(0), count: 1 };
  }
  return state;
}

/** The state a run starts from, whatever form its input has. */
export function stateFromInput(input: CredentialWorkflowInput | Record<string, unknown>, now: number): CredentialState {
  if ('spec' in input && input.spec) return initialState(input.spec as CredentialSpec, now, input as { fingerprint?: string; grantFingerprint?: string });
  if ('state' in input && input.state) return migrateState(input.state as unknown as Record<string, unknown>, now);
  if (isV01State(input)) return migrateState(input, now);
  throw new TypeError('credential workflow input must be { spec } or { state }');
}
