/**
 * The main loop of a connect session: the only place that issues commands. Link mode waits for
 * the callback (or the expiry), exchanges the code, hands the grant over; device mode asks for a
 * device code, polls until the person decides, hands the grant over. Every step that reaches the
 * network or the credential is an activity, so an API or worker restart in the middle changes
 * nothing: the session carries on from its history.
 */
import { condition, log, proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { ConnectActivities } from '../../activities/connect/contracts';
import { connectFailureType } from '../../connect/messages';
import { callbackErrorOutcome, connectedOutcome, expiredOutcome, failureOutcome, noRefreshTokenOutcome } from './session-decisions';
import type { ConnectSessionState } from './session-state';

const retry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: [connectFailureType] };

/** One request to the authorization server (a code exchange, a device authorization): a few attempts, each heartbeating its answer. */
const upstream = proxyActivities<Pick<ConnectActivities, 'exchangeAuthorizationCode' | 'requestDeviceAuthorization'>>({
  startToCloseTimeout: '40 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { ...retry, maximumAttempts: 3 },
});

/** The hand-over retries for an hour: the grant is in hand, and Temporal or the credential may be briefly away. */
const handOver = proxyActivities<Pick<ConnectActivities, 'handOverGrant'>>({
  startToCloseTimeout: '90 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { ...retry, maximumInterval: '30 seconds' },
});

/** Device polling: one activity for the whole wait, heartbeating; retried on another worker after a crash. */
function poller(state: ConnectSessionState) {
  const windowMs = Math.max(60_000, state.expiresAt - Date.now() + 60_000);
  return proxyActivities<Pick<ConnectActivities, 'pollDeviceAuthorization'>>({
    startToCloseTimeout: windowMs,
    scheduleToCloseTimeout: windowMs,
    heartbeatTimeout: '30 seconds',
    retry,
  });
}

async function exchangeCode(state: ConnectSessionState): Promise<void> {
  const callback = state.callback;
  if (!callback) return;
  if (callback.error !== undefined || callback.code === undefined) {
    state.outcome = callbackErrorOutcome(callback, Date.now());
    log.info('connect session refused at the authorization server', { credentialId: state.input.credentialId, code: state.outcome.code });
    return;
  }
  const { input } = state;
  try {
    const grant = await upstream.exchangeAuthorizationCode({
      credentialId: input.credentialId,
      profile: input.profile,
      code: callback.code,
      ...(callback.iss !== undefined ? { iss: callback.iss } : {}),
      redirectUri: input.redirectUri,
      ...(input.codeVerifier !== undefined ? { codeVerifier: input.codeVerifier } : {}),
    });
    keepGrant(state, grant);
  } catch (err) {
    state.outcome = failureOutcome(err, 'exchange_failed', Date.now());
  }
}

function keepGrant(state: ConnectSessionState, grant: Awaited<ReturnType<ConnectActivities['exchangeAuthorizationCode']>>): void {
  if (!grant.refreshToken) {
    state.outcome = noRefreshTokenOutcome(Date.now(), state.input.profile.scope);
    return;
  }
  state.grant = { ...grant, refreshToken: grant.refreshToken };
  state.status = 'handing_over';
}

async function startDevice(state: ConnectSessionState): Promise<void> {
  const { input } = state;
  try {
    state.device = await upstream.requestDeviceAuthorization({ credentialId: input.credentialId, profile: input.profile });
    state.expiresAt = Math.min(state.expiresAt, state.device.expiresAt);
    state.status = 'polling';
  } catch (err) {
    state.outcome = failureOutcome(err, 'exchange_failed', Date.now());
  }
}

async function pollDevice(state: ConnectSessionState): Promise<void> {
  const device = state.device;
  if (!device) return;
  try {
    const grant = await poller(state).pollDeviceAuthorization({
      credentialId: state.input.credentialId,
      profile: state.input.profile,
      deviceCode: device.deviceCode,
      intervalS: device.intervalS,
      expiresAt: state.expiresAt,
    });
    keepGrant(state, grant);
  } catch (err) {
    state.outcome = failureOutcome(err, 'exchange_failed', Date.now());
  }
}

async function handOverGrant(state: ConnectSessionState): Promise<void> {
  const grant = state.grant;
  if (!grant) return;
  const { credentialId, profile } = state.input;
  try {
    const result = await handOver.handOverGrant({ credentialId, profile, grant: { refreshToken: grant.refreshToken, token: grant.token } });
    state.outcome = connectedOutcome(result, credentialId, Date.now());
  } catch (err) {
    state.outcome = failureOutcome(err, 'handover_failed', Date.now());
  }
}

/** Runs the session until it has an outcome. */
export async function runConnectSession(state: ConnectSessionState): Promise<void> {
  if (state.input.mode === 'device') await startDevice(state);
  while (!state.outcome) {
    if (state.grant) {
      await handOverGrant(state);
    } else if (state.input.mode === 'link') {
      const left = state.expiresAt - Date.now();
      if (left > 0) await condition(() => state.callback !== undefined, left);
      // A callback accepted in the same moment as the expiry still counts: the validator admitted it in time.
      if (!state.callback) state.outcome = expiredOutcome(Date.now());
      else await exchangeCode(state);
    } else {
      await pollDevice(state);
    }
  }
  log.info('connect session ended', { credentialId: state.input.credentialId, result: state.outcome.result, code: state.outcome.code });
}
