/**
 * The device authorization grant (RFC 8628) for machines without a browser: one request for a
 * device code and a user code, then polling the token endpoint until the person approves or
 * denies on another device, or the code expires.
 *
 * Polling respects the server: never sooner than `interval` after the previous poll, `slow_down`
 * adds 5 s for good (§3.5), and network failures back off exponentially. The interval and the
 * last poll are heartbeated, so an attempt retried on another worker carries on at the same pace;
 * the approving answer is made durable before it is read (the device code is single use).
 */
import { Context } from '@temporalio/activity';
import * as oauth from 'oauth4webapi';
import { cappedFetch, isTransientStatus } from '../../providers/http';
import { isJsonObject } from '../../providers/oauth2-answer';
import {
  beat,
  connectFailure,
  grantOf,
  jsonBody,
  oauthError,
  requestOptions,
  savedAnswer,
  serverOf,
  tokenRequestFetch,
  withoutIdToken,
  type ConnectProgress,
  type ServerDeps,
} from './authorization-server';
import type { DeviceAuthorization, DeviceAuthorizationInput, ObtainedGrant, PollDeviceInput } from './contracts';
import { timeoutSignal } from '../timeout-signal';

/** Seconds between polls when the server names no interval (RFC 8628 §3.2). */
export const defaultDeviceIntervalS = 5;

/** Longest pause between polls after network failures. */
const maxBackoffS = 60;

/** Creates the `requestDeviceAuthorization` activity. */
export function createRequestDeviceAuthorization(deps: ServerDeps) {
  return async function requestDeviceAuthorization(input: DeviceAuthorizationInput): Promise<DeviceAuthorization> {
    const { config, as, client, auth, allowInsecure } = serverOf(input.profile);
    const signal = timeoutSignal(30_000, Context.current().cancellationSignal);
    const send = deps.send ?? ((url: URL, init: RequestInit) => cappedFetch(url.toString(), init));
    let response: Response;
    try {
      response = await oauth.deviceAuthorizationRequest(as, client, auth, input.profile.scope ? { scope: input.profile.scope } : {}, requestOptions(send, signal, allowInsecure));
    } catch (err) {
      throw new Error(`the device authorization endpoint could not be reached (${(err as { code?: string }).code ?? 'network error'})`, { cause: err });
    }
    if (isTransientStatus(response.status)) throw new Error(`the device authorization endpoint answered HTTP ${response.status}`);
    const raw = await jsonBody(response);
    try {
      const answer = await oauth.processDeviceAuthorizationResponse(as, client, response);
      const intervalS = typeof answer.interval === 'number' && answer.interval > 0 ? Math.ceil(answer.interval) : defaultDeviceIntervalS;
      return {
        deviceCode: answer.device_code,
        userCode: answer.user_code,
        verificationUri: answer.verification_uri,
        ...(answer.verification_uri_complete ? { verificationUriComplete: answer.verification_uri_complete } : {}),
        intervalS,
        expiresAt: Date.now() + answer.expires_in * 1000,
      };
    } catch (err) {
      const refused = oauthError(raw, [config.clientSecret]);
      const detail = refused ? `${refused.error}${refused.description ? `: ${refused.description}` : ''}` : `HTTP ${response.status} (${(err as Error).message})`;
      throw connectFailure({ result: 'exchange_failed', code: refused?.error ?? 'device_authorization_failed', message: `the device authorization endpoint refused the request: ${detail}` });
    }
  };
}

/** Waits `ms`, heartbeating the progress every few seconds; rejects when the activity is cancelled. */
async function pause(deps: ServerDeps, ms: number, progress: ConnectProgress): Promise<void> {
  const signal = Context.current().cancellationSignal;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (signal.aborted) throw signal.reason;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, until - Date.now())));
    await beat(deps, progress).catch(() => undefined);
  }
}

/** What one poll found: a grant, or when to poll again. */
type PollResult = { grant: ObtainedGrant } | { intervalS: number; waitS: number };

async function pollOnce(deps: ServerDeps, input: PollDeviceInput, intervalS: number, failures: number): Promise<PollResult> {
  const { config, as, client, auth, allowInsecure } = serverOf(input.profile);
  const secrets = [config.clientSecret, input.deviceCode];
  const saved = savedAnswer();
  const sentAt = saved?.sentAt ?? Date.now();
  const signal = timeoutSignal(30_000, Context.current().cancellationSignal);
  let response: Response;
  try {
    response = await oauth.deviceCodeGrantRequest(as, client, auth, input.deviceCode, requestOptions(tokenRequestFetch(deps, saved), signal, allowInsecure));
  } catch {
    return { intervalS, waitS: Math.min(maxBackoffS, intervalS * 2 ** (failures + 1)) };
  }
  const raw = await jsonBody(response);
  const refused = oauthError(raw, secrets);
  // `slow_down` and `authorization_pending` are honoured whatever the status carrying them (some servers use 429).
  if (refused?.error === 'slow_down') return { intervalS: intervalS + 5, waitS: intervalS + 5 };
  if (refused?.error === 'authorization_pending') return { intervalS, waitS: intervalS };
  if (isTransientStatus(response.status)) return { intervalS, waitS: Math.min(maxBackoffS, intervalS * 2 ** (failures + 1)) };
  if (response.status === 200) {
    let rejection: unknown;
    try {
      await oauth.processDeviceCodeResponse(as, client, config.issuer === undefined ? withoutIdToken(response, raw) : response);
    } catch (err) {
      rejection = err;
    }
    return { grant: grantOf(raw, { sentAt, defaultLifetimeMs: input.profile.defaultLifetimeMs, scope: input.profile.scope, secrets, rejection }) };
  }
  switch (refused?.error) {
    case 'access_denied':
      throw connectFailure({ result: 'denied', code: 'access_denied', message: 'the person denied the authorization on the verification page' });
    case 'expired_token':
      throw connectFailure({ result: 'expired', code: 'expired_token', message: 'the device code expired before the person approved it' });
    default: {
      const what = refused ? `${refused.error}${refused.description ? `: ${refused.description}` : ''}` : `HTTP ${response.status}${isJsonObject(raw) ? '' : ' (not JSON)'}`;
      throw connectFailure({ result: 'exchange_failed', code: refused?.error ?? `http_${response.status}`, message: `the token endpoint refused the device code: ${what}` });
    }
  }
}

/** Creates the `pollDeviceAuthorization` activity. */
export function createPollDeviceAuthorization(deps: ServerDeps) {
  return async function pollDeviceAuthorization(input: PollDeviceInput): Promise<ObtainedGrant> {
    const previous = Context.current().info.heartbeatDetails as ConnectProgress | undefined;
    if (previous?.phase === 'answered') {
      const found = await pollOnce(deps, input, input.intervalS, 0);
      if ('grant' in found) return found.grant;
    }
    let intervalS = previous?.phase === 'polling' ? previous.intervalS : input.intervalS;
    let lastPollAt = previous?.phase === 'polling' ? previous.lastPollAt : undefined;
    let waitS = intervalS;
    let failures = 0;
    for (;;) {
      const due = (lastPollAt ?? Date.now()) + waitS * 1000;
      if (due >= input.expiresAt) throw connectFailure({ result: 'expired', code: 'expired_token', message: 'the device code expired before the person approved it' });
      await pause(deps, Math.max(0, due - Date.now()), { phase: 'polling', intervalS, ...(lastPollAt !== undefined ? { lastPollAt } : {}) });
      lastPollAt = Date.now();
      const found = await pollOnce(deps, input, intervalS, failures);
      if ('grant' in found) return found.grant;
      failures = found.waitS > found.intervalS ? failures + 1 : 0;
      intervalS = found.intervalS;
      waitS = found.waitS;
      await beat(deps, { phase: 'polling', intervalS, lastPollAt }).catch(() => undefined);
    }
  };
}
