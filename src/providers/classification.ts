/**
 * The failure classification table of every provider, as data.
 *
 * Providers read their OAuth error and errcode rules from here, `docs/providers.md` embeds the
 * table (a unit test checks both agree), and a unit test provokes every row against the fake
 * servers and compares the kind and code the provider reports.
 */
import type { FailureKind, ProviderName } from '../credential';

/** A delay a row imposes: fixed milliseconds, or until the next midnight in China time (UTC+8). */
export type RowDelay = number | 'next_midnight_utc8';

/** One row of the table: what was seen, how it is treated, and how retries go. */
export interface ClassificationRow {
  provider: ProviderName;
  /** What was seen: `error=invalid_grant`, `errcode=45009`, `HTTP 5xx`, `missing access_token`, ... */
  match: string;
  kind: FailureKind;
  /** The `ProviderError.code`; `<...>` marks a part filled from the answer. */
  code: string;
  /** How the workflow retries it, in words. */
  retry: string;
  /** The `retryAfterMs` the provider reports (errcode rows). */
  delay?: RowDelay;
}

/** Wait added after midnight UTC+8 before a daily quota is tried again. */
export const quotaResetMarginMs = 120_000;

type Rule = Omit<ClassificationRow, 'provider'>;

const never = 'not retried: `reauth_required`';
const backoff = 'retried with backoff';
const honour = `${backoff}; \`Retry-After\` honoured`;
const midnight = 'retried after the next midnight UTC+8, plus 2 min';

const transport: Rule[] = [
  { match: 'HTTP 408', kind: 'transient', code: 'http_408', retry: honour },
  { match: 'HTTP 429', kind: 'transient', code: 'http_429', retry: honour },
  { match: 'HTTP 5xx', kind: 'transient', code: 'http_<status>', retry: honour },
  { match: 'other HTTP status', kind: 'configuration', code: 'http_<status>', retry: `${never} (usually a wrong URL)` },
  { match: 'network error', kind: 'transient', code: 'network_error', retry: backoff },
  { match: 'timeout', kind: 'transient', code: 'timeout', retry: `${backoff} (policy \`upstreamTimeoutMs\`)` },
  { match: 'cancelled', kind: 'transient', code: 'aborted', retry: 'the call was cancelled; the workflow decides' },
];

const malformed: Rule[] = [
  { match: 'non-JSON body', kind: 'malformed', code: 'invalid_json', retry: backoff },
  { match: 'body over 64 KiB', kind: 'malformed', code: 'body_too_large', retry: backoff },
  { match: 'missing access_token', kind: 'malformed', code: 'missing_access_token', retry: backoff },
  { match: 'invalid expires_in', kind: 'malformed', code: 'invalid_expires_in', retry: `${backoff} (zero, negative, non-numeric, non-finite)` },
];

/** The OAuth 2.0 rows; `reauth` says whether `invalid_grant` means re-authorization (refresh_token grant). */
function oauthRules(reauth: boolean): Rule[] {
  const config = (error: string, what: string): Rule => ({ match: `error=${error}`, kind: 'configuration', code: error, retry: `${never} (${what})` });
  return [
    reauth
      ? { match: 'error=invalid_grant', kind: 'reauth', code: 'invalid_grant', retry: 'not retried: `reauth_required` until `reauthorize` brings a new refresh token' }
      : config('invalid_grant', 'the server refused the client credentials grant'),
    config('invalid_client', 'wrong client id or secret, or wrong `clientAuth`'),
    config('unauthorized_client', 'the client may not use this grant'),
    config('unsupported_grant_type', 'the server does not offer this grant'),
    config('invalid_scope', 'check `scope`'),
    config('invalid_request', 'the server refused the request as sent'),
    { match: 'error=temporarily_unavailable', kind: 'transient', code: 'temporarily_unavailable', retry: honour },
    { match: 'error=server_error', kind: 'transient', code: 'server_error', retry: honour },
    { match: 'error=<other>', kind: 'configuration', code: '<error>', retry: `${never} (an unknown error is not retried blindly)` },
    ...transport,
    ...malformed,
    { match: 'missing or unsupported token_type', kind: 'malformed', code: 'invalid_token_type', retry: backoff },
  ];
}

const errcode = (n: number, kind: FailureKind, retry: string, delay?: RowDelay): Rule => ({
  match: `errcode=${n}`,
  kind,
  code: `errcode_${n}`,
  retry,
  ...(delay !== undefined ? { delay } : {}),
});

const errcodeOther: Rule = {
  match: 'errcode=<other>',
  kind: 'configuration',
  code: 'errcode_<n>',
  retry: `${never} (an unknown errcode is not retried, so it cannot burn the daily quota)`,
};

const wechatRules: Rule[] = [
  errcode(-1, 'transient', `system busy; ${backoff}, at least 2 s apart`, 2_000),
  errcode(45009, 'transient', `daily quota reached (or \`force_refresh\` budget spent); ${midnight}`, 'next_midnight_utc8'),
  errcode(45011, 'transient', `minute quota reached; ${backoff}, at least 60 s apart`, 60_000),
  errcode(40001, 'configuration', `${never} (wrong AppSecret)`),
  errcode(40125, 'configuration', `${never} (invalid AppSecret)`),
  errcode(40013, 'configuration', `${never} (invalid AppID)`),
  errcode(40164, 'configuration', `${never} (caller IP not in the whitelist)`),
  errcode(41002, 'configuration', `${never} (appid missing)`),
  errcode(41004, 'configuration', `${never} (secret missing)`),
  errcode(40002, 'configuration', `${never} (invalid grant_type)`),
  errcode(89503, 'configuration', `${never} (this IP needs an administrator's confirmation)`),
  errcode(89501, 'configuration', `${never} (this IP awaits an administrator's confirmation)`),
  errcodeOther,
  ...transport,
  ...malformed,
];

const wecomRules: Rule[] = [
  errcode(-1, 'transient', `system busy; ${backoff}, at least 2 s apart`, 2_000),
  errcode(45009, 'transient', `API call limit reached; ${midnight}`, 'next_midnight_utc8'),
  errcode(40013, 'configuration', `${never} (invalid corpid)`),
  errcode(40001, 'configuration', `${never} (invalid corpsecret)`),
  errcode(40091, 'configuration', `${never} (corpsecret invalid)`),
  errcode(60020, 'configuration', `${never} (caller IP not allowed)`),
  errcode(41002, 'configuration', `${never} (corpid missing)`),
  errcode(41004, 'configuration', `${never} (corpsecret missing)`),
  errcode(42001, 'transient', `not expected from gettoken; ${backoff}`, 1_000),
  errcode(40014, 'transient', `not expected from gettoken; ${backoff}`, 1_000),
  errcodeOther,
  ...transport,
  ...malformed,
];

const byProvider: Record<ProviderName, Rule[]> = {
  oauth2: [
    { match: 'grant without refresh token', kind: 'configuration', code: 'missing_refresh_token', retry: 'not retried: `reauth_required` until `reauthorize` brings a refresh token' },
    ...oauthRules(true),
  ],
  oauth2_client_credentials: oauthRules(false),
  wechat: wechatRules,
  wecom: wecomRules,
};

/** Every row of every provider, in documentation order. */
export const classificationRows: readonly ClassificationRow[] = (Object.keys(byProvider) as ProviderName[]).flatMap((provider) =>
  byProvider[provider].map((rule) => ({ provider, ...rule })),
);

/** The rows of one provider. */
export function rowsFor(provider: ProviderName): ClassificationRow[] {
  return classificationRows.filter((row) => row.provider === provider);
}

/** The row an OAuth `error` code falls under (the `error=<other>` row for unknown codes). */
export function oauthErrorRow(provider: ProviderName, error: string): ClassificationRow {
  const rows = rowsFor(provider);
  const row = rows.find((r) => r.match === `error=${error}`) ?? rows.find((r) => r.match === 'error=<other>');
  if (!row) throw new Error(`${provider} has no OAuth error rows`);
  return row;
}

/** The row an errcode falls under (the `errcode=<other>` row for unknown codes). */
export function errcodeRow(provider: ProviderName, code: number): ClassificationRow {
  const rows = rowsFor(provider);
  const row = rows.find((r) => r.match === `errcode=${code}`) ?? rows.find((r) => r.match === 'errcode=<other>');
  if (!row) throw new Error(`${provider} has no errcode rows`);
  return row;
}

/** Milliseconds from `now` to the next midnight in China time (UTC+8), plus `quotaResetMarginMs`. */
export function msUntilNextMidnightUtc8(now: number): number {
  const day = 86_400_000;
  const offset = 8 * 3_600_000;
  const nextMidnight = Math.floor((now + offset) / day) * day + day - offset;
  return nextMidnight - now + quotaResetMarginMs;
}

/** The `retryAfterMs` a row imposes at `now`, if any. */
export function rowDelayMs(row: ClassificationRow, now: number): number | undefined {
  if (row.delay === undefined) return undefined;
  return row.delay === 'next_midnight_utc8' ? msUntilNextMidnightUtc8(now) : row.delay;
}

/** The Markdown table of one provider's rows, exactly as `docs/providers.md` embeds it. */
export function classificationMarkdown(provider: ProviderName): string {
  const lines = ['| seen | kind | code | retry |', '|---|---|---|---|'];
  for (const row of rowsFor(provider)) {
    lines.push(`| \`${row.match}\` | ${row.kind} | \`${row.code}\` | ${row.retry.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
