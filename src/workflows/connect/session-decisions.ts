/**
 * Pure decisions of a connect session: whether a request may still use it, and how a callback,
 * an expiry or an activity failure ends it. Messages never hold a secret; provider-supplied text
 * is cut to one short line.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ConnectFailureDetails, HandOverResult } from '../../activities/connect/contracts';
import {
  connectFailureType,
  connectSessionClosedFailureType,
  type CallbackRequest,
  type ConnectMode,
  type ConnectOutcome,
  type ConnectResult,
  type SessionClosedDetails,
} from '../../connect/messages';
import type { ConnectSessionState } from './session-state';

/** Why a request in `mode` cannot use the session now, or undefined when it can. */
export function closedReason(state: ConnectSessionState, mode: ConnectMode, now: number): SessionClosedDetails | undefined {
  if (state.input.mode !== mode) return { reason: 'wrong_mode' };
  if (state.outcome) return { reason: state.outcome.result === 'expired' ? 'expired' : 'used', outcome: state.outcome };
  if (state.status !== 'pending') return { reason: 'in_progress' };
  if (now >= state.expiresAt) return { reason: 'expired' };
  return undefined;
}

const closedMessages: Record<SessionClosedDetails['reason'], string> = {
  expired: 'this connect session has expired',
  used: 'this connect session was already used',
  in_progress: 'this connect session is already completing',
  wrong_mode: 'this connect session is of another kind (link or device code)',
};

/** Throws the failure an update validator answers when the session is closed to `mode` requests. */
export function refuseUnlessOpen(state: ConnectSessionState, mode: ConnectMode, now: number): void {
  const closed = closedReason(state, mode, now);
  if (!closed || (mode === 'device' && closed.reason !== 'wrong_mode')) return;
  throw ApplicationFailure.create({ type: connectSessionClosedFailureType, message: closedMessages[closed.reason], nonRetryable: true, details: [closed] });
}

/** Provider-supplied text made safe to keep and show: one line, no control characters, at most 200 characters. */
export function providerText(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const line = (value ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** A provider's `error` value made safe as a machine code. */
export function safeCode(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'unknown_error';
}

function outcome(result: ConnectResult, code: string, message: string, now: number): ConnectOutcome {
  return { result, code, message, at: now };
}

/** How a callback that carries the provider's `error` ends the session. */
export function callbackErrorOutcome(req: CallbackRequest, now: number): ConnectOutcome {
  const code = safeCode(req.error ?? 'unknown_error');
  const description = providerText(req.errorDescription);
  const said = `the authorization server answered ${code}${description ? `: ${description}` : ''}`;
  return outcome(code === 'access_denied' ? 'denied' : 'exchange_failed', code, code === 'access_denied' ? `access was denied (${said})` : said, now);
}

/** The session ran out of time before the provider's answer arrived. */
export function expiredOutcome(now: number): ConnectOutcome {
  return outcome('expired', 'session_expired', 'the connect session expired before the authorization was completed', now);
}

/** The exchange succeeded but the server issued no refresh token. */
export function noRefreshTokenOutcome(now: number, scope: string | undefined): ConnectOutcome {
  const hint = /\boffline_access\b/.test(scope ?? '') ? 'the server did not grant offline_access' : 'ask for offline access (e.g. the offline_access scope, or the provider\'s parameter for it)';
  return outcome('no_refresh_token', 'no_refresh_token', `the authorization server issued no refresh token (${hint}); the credential was not changed`, now);
}

/** The credential got the grant. */
export function connectedOutcome(result: HandOverResult, credentialId: string, now: number): ConnectOutcome {
  const what = result.registration === 'created' ? 'registered' : 'given the new grant';
  return { ...outcome('connected', 'connected', `credential ${credentialId} was ${what} (version ${result.version})`, now), registration: result.registration, version: result.version };
}

/** How an activity failure ends the session: the activity's own classification, else `fallback`. */
export function failureOutcome(err: unknown, fallback: Exclude<ConnectResult, 'connected'>, now: number): ConnectOutcome {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === connectFailureType) {
    const d = cause.details?.[0] as ConnectFailureDetails | undefined;
    if (d) return outcome(d.result, d.code, d.message, now);
  }
  return outcome(fallback, 'activity_failed', fallback === 'handover_failed' ? 'the grant could not be handed to the credential' : 'the authorization server could not be asked', now);
}
