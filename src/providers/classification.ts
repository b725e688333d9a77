/**
 * Failure classification as data: the row types, the rows every provider shares (transport,
 * malformed answers, OAuth 2.0 errors), the errcode row builders, and the lookups providers use.
 *
 * Each provider module lists its own rows (`Provider.classification`); `./catalog` gathers them
 * for `docs/providers.md`, where a unit test checks the tables match and provokes every row
 * against the fake servers.
 */
import type { FailureKind, ProviderName } from '../credential';

/** A delay a row imposes: fixed milliseconds, or until the next midnight in China time (UTC+8). */
export type RowDelay = number | 'next_midnight_utc8';

/** One rule of a provider's table: what was seen, how it is treated, and how retries go. */
export interface ClassificationRule {
  /** What was seen: `error=invalid_grant`, `errcode=45009`, `HTTP 5xx`, `missing access_token`, ... */
  match: string;
  kind: FailureKind;
  /** The `ProviderError.code`; `<...>` marks a part filled from the answer. */
  code: string;
  /** How the workflow retries it, in words. */
  retry: string;
  /** The `retryAfterMs` the provider reports (errcode rows). */
  delay?: RowDelay;
  /** A derived provider's row for the parent's token being refused: the parent refreshes, then one retry. */
  parentToken?: true;
}

/** A rule with the provider it belongs to (one row of the documentation tables). */
export interface ClassificationRow extends ClassificationRule {
  provider: ProviderName;
}

/** Wait added after midnight UTC+8 before a daily quota is tried again. */
export const quotaResetMarginMs = 120_000;

/** Words for a failure that is never retried (a person must act). */
export const notRetried = 'not retried: `reauth_required`';
/** Words for a configuration failure the workflow probes again on a long backoff. */
export const reprobed = '`reauth_required`, probed again after 1 h, the wait doubling up to 24 h';
const backoff = 'retried with backoff';
const honour = `${backoff}; \`Retry-After\` honoured`;
const keepsRotated = `${backoff}; a rotated refresh token in the answer is kept`;
const midnight = 'retried after the next midnight UTC+8, plus 2 min';

/** Rows of the HTTP exchange itself, the same for every provider. */
export const transportRules: readonly ClassificationRule[] = [
  { match: 'HTTP 408', kind: 'transient', code: 'http_408', retry: honour },
  { match: 'HTTP 429', kind: 'transient', code: 'http_429', retry: honour },
  { match: 'HTTP 5xx', kind: 'transient', code: 'http_<status>', retry: honour },
  { match: 'other HTTP status', kind: 'configuration', code: 'http_<status>', retry: `${reprobed} (a wrong URL, a CDN's refusal or a maintenance page)` },
  { match: 'network error', kind: 'transient', code: 'network_error', retry: backoff },
  { match: 'timeout', kind: 'transient', code: 'timeout', retry: `${backoff} (policy \`upstreamTimeoutMs\`)` },
  { match: 'cancelled', kind: 'transient', code: 'aborted', retry: 'the call was cancelled; the workflow decides' },
];

/** Rows of answers that arrived (HTTP 200) but cannot be used, the same for every provider. */
export const malformedRules: readonly ClassificationRule[] = [
  { match: 'non-JSON body', kind: 'malformed', code: 'invalid_json', retry: backoff },
  { match: 'body over 64 KiB', kind: 'malformed', code: 'body_too_large', retry: backoff },
  { match: 'missing access_token', kind: 'malformed', code: 'missing_access_token', retry: keepsRotated },
  { match: 'invalid expires_in', kind: 'malformed', code: 'invalid_expires_in', retry: `${keepsRotated} (see the lifetime rules)` },
];

/** The OAuth 2.0 rows; `reauth` says whether `invalid_grant` means re-authorization (refresh_token grant). */
export function oauthRules(reauth: boolean): ClassificationRule[] {
  const config = (error: string, what: string, retry = reprobed): ClassificationRule => ({ match: `error=${error}`, kind: 'configuration', code: error, retry: `${retry} (${what})` });
  return [
    reauth
      ? { match: 'error=invalid_grant', kind: 'reauth', code: 'invalid_grant', retry: 'not retried: `reauth_required` until `reauthorize` brings a new refresh token' }
      : config('invalid_grant', 'the server refused the client credentials grant', notRetried),
    config('invalid_client', 'wrong client id or secret, or wrong `clientAuth`', notRetried),
    config('unauthorized_client', 'the client may not use this grant'),
    config('unsupported_grant_type', 'the server does not offer this grant'),
    config('invalid_scope', 'check `scope`'),
    config('invalid_request', 'the server refused the request as sent'),
    { match: 'error=temporarily_unavailable', kind: 'transient', code: 'temporarily_unavailable', retry: honour },
    { match: 'error=server_error', kind: 'transient', code: 'server_error', retry: honour },
    { match: 'error=<other>', kind: 'configuration', code: '<error>', retry: `${reprobed} (an unknown error is not retried blindly)` },
    { match: 'no token endpoint', kind: 'configuration', code: 'missing_token_endpoint', retry: `${reprobed} (\`issuer\` given, but discovery did not fill \`tokenEndpoint\`: register again)` },
    ...transportRules,
    ...malformedRules,
    { match: 'missing or unsupported token_type', kind: 'malformed', code: 'invalid_token_type', retry: keepsRotated },
  ];
}

/**
 * The rows of a derived credential's parent, the same for every derived provider: the refresh
 * activity reports them (before any request reaches the derived endpoint), except `parent_missing`,
 * which a provider reports when it was handed no parent token.
 */
export const parentRules: readonly ClassificationRule[] = [
  { match: 'parent reauth_required, no valid token', kind: 'configuration', code: 'parent_reauth_required', retry: `${reprobed}; tried at once when the parent gets a new token (its reauthorization)` },
  { match: 'parent revoked', kind: 'configuration', code: 'parent_revoked', retry: `${reprobed}; the parent signals its end at once (register the parent again, then \`reauthorize\` the derived credential)` },
  { match: 'parent of another provider', kind: 'configuration', code: 'parent_mismatch', retry: `${reprobed} (a credential of another kind was registered under the parent's id)` },
  { match: 'parent not answering', kind: 'transient', code: 'parent_unavailable', retry: `${backoff} (the parent is refreshing and failing, or no worker answers it)` },
  { match: 'no parent token given', kind: 'configuration', code: 'parent_missing', retry: `${reprobed} (a worker that does not hand parent tokens over)` },
];

/** An errcode row (WeChat-style token APIs). */
export function errcodeRule(n: number, kind: FailureKind, retry: string, delay?: RowDelay): ClassificationRule {
  return { match: `errcode=${n}`, kind, code: `errcode_${n}`, retry, ...(delay !== undefined ? { delay } : {}) };
}

/** The row of an errcode no table lists. */
export const errcodeOtherRule: ClassificationRule = {
  match: 'errcode=<other>',
  kind: 'configuration',
  code: 'errcode_<n>',
  retry: `${reprobed} (an unknown errcode is not retried at once, so it cannot burn the daily quota)`,
};

/** Retry words shared by the errcode tables. */
export const errcodeWords = { backoff, midnight, notRetried, reprobed } as const;

/** The rule an OAuth `error` code falls under (the `error=<other>` rule for unknown codes). */
export function oauthErrorRow(rules: readonly ClassificationRule[], error: string): ClassificationRule {
  const row = rules.find((r) => r.match === `error=${error}`) ?? rules.find((r) => r.match === 'error=<other>');
  if (!row) throw new Error('this provider has no OAuth error rows');
  return row;
}

/** The rule an errcode falls under (the `errcode=<other>` rule for unknown codes). */
export function errcodeRow(rules: readonly ClassificationRule[], code: number): ClassificationRule {
  const row = rules.find((r) => r.match === `errcode=${code}`) ?? rules.find((r) => r.match === 'errcode=<other>');
  if (!row) throw new Error('this provider has no errcode rows');
  return row;
}

/** Milliseconds from `now` to the next midnight in China time (UTC+8), plus `quotaResetMarginMs`. */
export function msUntilNextMidnightUtc8(now: number): number {
  const day = 86_400_000;
  const offset = 8 * 3_600_000;
  const nextMidnight = Math.floor((now + offset) / day) * day + day - offset;
  return nextMidnight - now + quotaResetMarginMs;
}

/** The `retryAfterMs` a rule imposes at `now`, if any. */
export function rowDelayMs(row: ClassificationRule, now: number): number | undefined {
  if (row.delay === undefined) return undefined;
  return row.delay === 'next_midnight_utc8' ? msUntilNextMidnightUtc8(now) : row.delay;
}
