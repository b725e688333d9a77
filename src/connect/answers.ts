/**
 * What each end of a connect link answers: the HTTP status, the JSON body (for programs that ask
 * for `application/json`) and the page (for people), from a session's outcome, a session still
 * completing, or a `ConnectError`. One table, so the page and the API error always agree.
 */
import { ConnectError } from './errors';
import type { ConnectOutcome, ConnectResult } from './messages';
import type { PageContent } from './pages';

/** One answer of the connect routes. */
export interface ConnectAnswer {
  status: number;
  json: Record<string, unknown>;
  page: PageContent;
}

const outcomeStatus: Readonly<Record<ConnectResult, number>> = {
  connected: 200,
  denied: 403,
  expired: 410,
  no_refresh_token: 422,
  exchange_failed: 502,
  handover_failed: 502,
};

const outcomeTitles: Readonly<Record<ConnectResult, string>> = {
  connected: 'Connected',
  denied: 'Access was denied',
  expired: 'This link has expired',
  no_refresh_token: 'No refresh token was issued',
  exchange_failed: 'The authorization could not be completed',
  handover_failed: 'The credential did not take the new grant',
};

const again = (credentialId: string | undefined) => `halflife connect ${credentialId ?? '<id>'}`;

/** The answer for a session that ended with `outcome`. */
export function outcomeAnswer(credentialId: string, outcome: ConnectOutcome): ConnectAnswer {
  const ok = outcome.result === 'connected';
  const json = ok
    ? { result: 'connected', credential_id: credentialId, registration: outcome.registration, version: outcome.version }
    : { result: outcome.result, credential_id: credentialId, error: { code: outcome.code, message: outcome.message } };
  const lines = ok
    ? [`Credential ${credentialId} is connected (version ${outcome.version ?? '?'}): Halflife keeps its tokens fresh from now on.`, 'You can close this page.']
    : [outcome.message, `Credential ${credentialId} was not changed. Ask for a new link to try again:`];
  return { status: outcomeStatus[outcome.result], json, page: { title: outcomeTitles[outcome.result], tone: ok ? 'ok' : 'error', lines, ...(ok ? {} : { command: again(credentialId) }) } };
}

/** The answer while the exchange or hand-over is still running (the session completes on its own). */
export function pendingAnswer(credentialId: string): ConnectAnswer {
  return {
    status: 202,
    json: { result: 'pending', credential_id: credentialId },
    page: { title: 'Almost done', tone: 'wait', lines: ['The authorization arrived; Halflife is still handing it to the credential. You can close this page. To check:'], command: `halflife describe ${credentialId}` },
  };
}

const errorTitles: Readonly<Record<ConnectError['reason'], string>> = {
  unknown_session: 'This link is not valid',
  missing_state: 'This is not the answer to a Halflife link',
  missing_code: 'The answer has no authorization code',
  session_expired: 'This link has expired',
  session_used: 'This link was already used',
  session_in_progress: 'This link is already being completed',
  wrong_mode: 'This is a device-code session',
};

/** The answer for a refused link or callback. */
export function errorAnswer(err: ConnectError): ConnectAnswer {
  const json = { error: { code: err.reason, message: err.message, ...(err.field ? { field: err.field } : {}) }, ...(err.outcome ? { result: err.outcome.result } : {}) };
  const lines = [`${err.message}.`];
  if (err.reason === 'session_used' && err.outcome) lines.push(`It ended ${new Date(err.outcome.at).toISOString()}: ${err.outcome.message}.`);
  if (err.reason !== 'session_in_progress' && err.reason !== 'session_used') lines.push('Ask for a new link:');
  const command = err.reason === 'session_in_progress' || err.reason === 'session_used' ? undefined : again(err.credentialId);
  return { status: err.status, json, page: { title: errorTitles[err.reason], tone: 'error', lines, ...(command ? { command } : {}) } };
}
