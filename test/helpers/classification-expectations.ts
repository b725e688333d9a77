/**
 * The classification table as the documentation promises it (docs/providers.md), written out by
 * hand: for every row of every provider, the kind and code a provoked failure must carry, the
 * status the credential must reach and how the workflow must retry. Nothing here is computed from
 * src/providers: the tests compare the implementation against these literals, and check that both
 * tables list the same rows.
 *
 * Codes are the concrete ones of the provocation each test uses: `HTTP 5xx` is provoked with 503,
 * `other HTTP status` with 404, `error=<other>` with `access_denied`, `errcode=<other>` with 99999.
 */
import type { FailureKind, ProviderName } from '../../src/credential';

/** How the workflow must treat the failure. */
export type RetryExpectation =
  /** Retried after the policy's exponential backoff (the first retry after `retryInitialMs`). */
  | { kind: 'backoff' }
  /** Retried no sooner than `ms` after the failure (a row delay, or the `Retry-After` the test sends). */
  | { kind: 'after'; ms: number }
  /** Retried after the next midnight in China time (UTC+8), plus 2 minutes. */
  | { kind: 'midnight' }
  /** `reauth_required`, probed again after 1 hour. */
  | { kind: 'reprobe' }
  /** `reauth_required`, never tried again on its own. */
  | { kind: 'none' }
  /** The call was abandoned by the workflow (revoked meanwhile): no retry, no recorded failure. */
  | { kind: 'abandoned' };

/** One documented row, with what its provocation must lead to. */
export interface ExpectedRow {
  provider: ProviderName;
  /** The row's `seen` column, exactly as documented. */
  match: string;
  kind: FailureKind;
  /** The `code` of the failure the test provokes for this row. */
  code: string;
  /** The status the credential reaches (its first token is still valid). */
  status: 'degraded' | 'reauth_required' | 'revoked';
  retry: RetryExpectation;
  /** `Retry-After` (seconds) the test sends with an HTTP failure, when the row honours it. */
  retryAfterS?: number;
}

const backoff: RetryExpectation = { kind: 'backoff' };
const reprobe: RetryExpectation = { kind: 'reprobe' };
const none: RetryExpectation = { kind: 'none' };
const honoured: RetryExpectation = { kind: 'after', ms: 2000 };

type Row = Omit<ExpectedRow, 'provider'>;

/** Rows every provider shares: the HTTP exchange and unusable answers. */
const transport: Row[] = [
  { match: 'HTTP 408', kind: 'transient', code: 'http_408', status: 'degraded', retry: honoured, retryAfterS: 2 },
  { match: 'HTTP 429', kind: 'transient', code: 'http_429', status: 'degraded', retry: honoured, retryAfterS: 2 },
  { match: 'HTTP 5xx', kind: 'transient', code: 'http_503', status: 'degraded', retry: honoured, retryAfterS: 2 },
  { match: 'other HTTP status', kind: 'configuration', code: 'http_404', status: 'reauth_required', retry: reprobe },
  { match: 'network error', kind: 'transient', code: 'network_error', status: 'degraded', retry: backoff },
  { match: 'timeout', kind: 'transient', code: 'timeout', status: 'degraded', retry: backoff },
  { match: 'cancelled', kind: 'transient', code: 'aborted', status: 'revoked', retry: { kind: 'abandoned' } },
  { match: 'non-JSON body', kind: 'malformed', code: 'invalid_json', status: 'degraded', retry: backoff },
  { match: 'body over 64 KiB', kind: 'malformed', code: 'body_too_large', status: 'degraded', retry: backoff },
  { match: 'missing access_token', kind: 'malformed', code: 'missing_access_token', status: 'degraded', retry: backoff },
  { match: 'invalid expires_in', kind: 'malformed', code: 'invalid_expires_in', status: 'degraded', retry: backoff },
];

function oauthRows(refreshTokenGrant: boolean): Row[] {
  const configuration = (error: string, retry: RetryExpectation): Row => ({ match: `error=${error}`, kind: 'configuration', code: error, status: 'reauth_required', retry });
  return [
    ...(refreshTokenGrant ? [{ match: 'grant without refresh token', kind: 'configuration', code: 'missing_refresh_token', status: 'reauth_required', retry: none } as Row] : []),
    refreshTokenGrant
      ? { match: 'error=invalid_grant', kind: 'reauth', code: 'invalid_grant', status: 'reauth_required', retry: none }
      : configuration('invalid_grant', none),
    configuration('invalid_client', none),
    configuration('unauthorized_client', reprobe),
    configuration('unsupported_grant_type', reprobe),
    configuration('invalid_scope', reprobe),
    configuration('invalid_request', reprobe),
    { match: 'error=temporarily_unavailable', kind: 'transient', code: 'temporarily_unavailable', status: 'degraded', retry: backoff },
    { match: 'error=server_error', kind: 'transient', code: 'server_error', status: 'degraded', retry: backoff },
    { match: 'error=<other>', kind: 'configuration', code: 'access_denied', status: 'reauth_required', retry: reprobe },
    { match: 'no token endpoint', kind: 'configuration', code: 'missing_token_endpoint', status: 'reauth_required', retry: reprobe },
    ...transport,
    { match: 'missing or unsupported token_type', kind: 'malformed', code: 'invalid_token_type', status: 'degraded', retry: backoff },
  ];
}

const errcodeConfiguration = (n: number): Row => ({ match: `errcode=${n}`, kind: 'configuration', code: `errcode_${n}`, status: 'reauth_required', retry: reprobe });
const errcodeOther: Row = { match: 'errcode=<other>', kind: 'configuration', code: 'errcode_99999', status: 'reauth_required', retry: reprobe };
const busy: Row = { match: 'errcode=-1', kind: 'transient', code: 'errcode_-1', status: 'degraded', retry: { kind: 'after', ms: 2000 } };
const dailyQuota: Row = { match: 'errcode=45009', kind: 'transient', code: 'errcode_45009', status: 'degraded', retry: { kind: 'midnight' } };

const wechatRows: Row[] = [
  busy,
  dailyQuota,
  { match: 'errcode=45011', kind: 'transient', code: 'errcode_45011', status: 'degraded', retry: { kind: 'after', ms: 60_000 } },
  ...[40001, 40125, 40013, 40164, 41002, 41004, 40002, 89503, 89501].map(errcodeConfiguration),
  errcodeOther,
  ...transport,
];

const wecomRows: Row[] = [
  busy,
  dailyQuota,
  ...[40013, 40001, 40091, 60020, 41002, 41004].map(errcodeConfiguration),
  { match: 'errcode=42001', kind: 'transient', code: 'errcode_42001', status: 'degraded', retry: { kind: 'after', ms: 1000 } },
  { match: 'errcode=40014', kind: 'transient', code: 'errcode_40014', status: 'degraded', retry: { kind: 'after', ms: 1000 } },
  errcodeOther,
  ...transport,
];

/** Every documented row of every provider. */
export const expectedRows: readonly ExpectedRow[] = [
  ...oauthRows(true).map((r) => ({ provider: 'oauth2' as const, ...r })),
  ...oauthRows(false).map((r) => ({ provider: 'oauth2_client_credentials' as const, ...r })),
  ...wechatRows.map((r) => ({ provider: 'wechat' as const, ...r })),
  ...wecomRows.map((r) => ({ provider: 'wecom' as const, ...r })),
];
