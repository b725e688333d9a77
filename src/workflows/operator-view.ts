/**
 * What an operator reads in the Temporal Web UI, as pure functions over the state: the current
 * details (status, the classified last error and what to do, next refresh, expiry, version), and
 * the summaries of the timers and activities the main loop schedules. No secret: settings only
 * contribute the endpoint's host.
 */
import { expiryWarningLeadMs } from './warnings';
import type { CredentialState } from './state';

const iso = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** What to do about a credential in `reauth_required`, in one line. */
export function remedyOf(state: CredentialState): string {
  const code = state.lastError?.code ?? '';
  if (state.parent !== undefined && code.startsWith('parent_')) {
    const revoked = code === 'parent_revoked' ? `register ${state.parent} again, then POST /v1/credentials/${state.id}/reauthorize` : 'this one refreshes as soon as the parent has a new token';
    return `fix the parent credential ${state.parent} (\`halflife describe ${state.parent}\`); ${revoked}`;
  }
  if (state.reprobe) return `fix the configuration (\`halflife describe ${state.id}\`); Halflife tries again at ${iso(state.reprobe.at)}`;
  return `run \`halflife connect ${state.id}\` or POST /v1/credentials/${state.id}/reauthorize with a new grant`;
}

/** The line about a known refresh-token expiry: when, and within the warning lead what to do before. */
function refreshTokenNote(state: CredentialState): string {
  const at = state.refreshTokenExpiresAt;
  if (at === undefined) return '';
  const near = Date.now() >= at - expiryWarningLeadMs;
  return near ? `\n\nrefresh token expires ${iso(at)} → re-connect before then: ${remedyOf({ ...state, reprobe: undefined })}` : ` · refresh token expires ${iso(at)}`;
}

/** The current details shown on the workflow's page (Markdown, kept current by the main loop). */
export function currentDetails(state: CredentialState): string {
  const e = state.lastError;
  const head = `**${state.status}** · v${state.version} · expires ${iso(state.token?.expiresAt)}`;
  switch (state.status) {
    case 'reauth_required':
      return `${head}\n\nsince ${iso(e?.at)}: ${e ? `${e.code}: ${e.message}` : 'the grant was rejected'}\n\n→ ${remedyOf(state)}`;
    case 'degraded':
    case 'expired':
      return `${head}\n\nfailing since ${iso(e?.at)}: ${e ? `${e.code}: ${e.message}` : 'no answer'} · attempt ${state.round?.attempt ?? 1}, next at ${iso(state.round?.nextAttemptAt)}`;
    case 'revoked':
      return `${head}\n\nrevoked`;
    default:
      return `${head} · next refresh ${iso(state.nextRefreshAt)}${refreshTokenNote(state)}${state.warning ? `\n\nwarning: ${state.warning.code}: ${state.warning.message}` : ''}`;
  }
}

/** The summary of the timer the main loop waits on. */
export function timerSummary(state: CredentialState, until: number): string {
  const round = state.round;
  if (round && until === round.nextAttemptAt) {
    return round.attempt > 1 ? `retry ${round.attempt - 1} after ${state.lastError?.code ?? 'a failure'}` : round.cause === 'reprobe' ? 're-probe' : 'cooldown or daily quota';
  }
  if (state.status === 'degraded' && until === state.token?.expiresAt) return 'token expiry (degraded → expired)';
  if (state.reprobe && until === state.reprobe.at) return 're-probe after a configuration failure';
  if (!round && until === state.nextRefreshAt) return `refresh at ${Math.round(state.policy.refreshRatio * 100)} % of the lifetime`;
  if (until === state.warned?.wakeAt) return 'an expiry warning (refresh token or client secret) falls due';
  return 'retry publishing to Redis or handing events to webhooks';
}

/** The host a credential's requests go to, for summaries (no path, no query). */
function hostOf(state: CredentialState): string {
  const url = state.settings.tokenEndpoint ?? state.settings.baseUrl ?? state.settings.issuer;
  try {
    return typeof url === 'string' ? new URL(url).host : state.provider;
  } catch {
    return state.provider;
  }
}

/** The summary of one refresh attempt. */
export function attemptSummary(state: CredentialState): string {
  const attempt = state.round?.attempt ?? 1;
  return `refresh v${state.version + 1} via ${hostOf(state)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
}

/** Settings that say which upstream account a credential is, in the order they are shown. */
const identifyingSettings = ['preset', 'tokenEndpoint', 'issuer', 'baseUrl', 'clientId', 'appid', 'corpid', 'appId', 'installationId', 'audience', 'scope'];

/** The static details of a credential's first run (Web UI, *User Metadata*): what it is, never a secret. */
export function credentialStaticDetails(provider: string, id: string, settings: Readonly<Record<string, unknown>>): string {
  const lines = identifyingSettings
    .filter((k) => typeof settings[k] === 'string' || typeof settings[k] === 'number')
    .map((k) => `- ${k}: \`${String(settings[k])}\``);
  return [`**${provider}** credential \`${id}\``, ...lines].join('\n');
}

