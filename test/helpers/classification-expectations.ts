/**
 * The classification table as the documentation promises it (docs/providers.md), written out by
 * hand: for every row of every provider, the kind and code a provoked failure must carry, the
 * status the credential must reach and how the workflow must retry. Nothing here is computed from
 * src/providers: the tests compare the implementation against these literals, and check that both
 * tables list the same rows.
 *
 * Codes are the concrete ones of the provocation each test uses: `HTTP 5xx` is provoked with 503,
 * `other HTTP status` with 404 (409 for GitHub, whose 404 has its own row), `error=<other>` with `access_denied`, `errcode=<other>` with 99999.
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
  /** A derived provider's row for the parent's token being refused: the parent refreshes, and the call is retried once at once. */
  parentToken?: true;
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

/** JWT bearer: the OAuth rows of a grant without refresh token, but a refused assertion may be fixed at the server: re-probed. */
const jwtBearerRows: Row[] = oauthRows(false)
  .filter((r) => r.match !== 'no token endpoint')
  .map((r) => (r.match === 'error=invalid_grant' ? { ...r, retry: reprobe } : r));

/** GitHub App installation tokens: GitHub's own statuses, then the transport rows with its answer's field names. */
const githubAppRows: Row[] = [
  { match: 'HTTP 401', kind: 'configuration', code: 'app_jwt_rejected', status: 'reauth_required', retry: reprobe },
  { match: 'HTTP 403, rate limited', kind: 'transient', code: 'rate_limited', status: 'degraded', retry: honoured, retryAfterS: 2 },
  { match: 'HTTP 403', kind: 'configuration', code: 'installation_forbidden', status: 'reauth_required', retry: reprobe },
  { match: 'HTTP 404', kind: 'configuration', code: 'installation_not_found', status: 'reauth_required', retry: reprobe },
  { match: 'HTTP 422', kind: 'configuration', code: 'narrowing_rejected', status: 'reauth_required', retry: reprobe },
  ...transport
    .filter((r) => r.match !== 'missing access_token' && r.match !== 'invalid expires_in')
    .map((r) => (r.match === 'other HTTP status' ? { ...r, code: 'http_409' } : r)),
  { match: 'missing token', kind: 'malformed', code: 'missing_access_token', status: 'degraded', retry: backoff },
  { match: 'invalid expires_at', kind: 'malformed', code: 'invalid_expires_at', status: 'degraded', retry: backoff },
];

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

/** The ticket endpoints' rows of the HTTP exchange and unusable answers: a `ticket` instead of an `access_token`. */
const ticketTransport: Row[] = transport.map((r) => (r.match === 'missing access_token' ? { ...r, match: 'missing ticket', code: 'missing_ticket' } : r));
const parentToken = (n: number): Row => ({ match: `errcode=${n}`, kind: 'transient', code: `errcode_${n}`, status: 'degraded', retry: { kind: 'after', ms: 1000 }, parentToken: true });

const wechatTicketRows: Row[] = [
  busy,
  ...[40001, 40014, 42001, 41001].map(parentToken),
  dailyQuota,
  { match: 'errcode=45011', kind: 'transient', code: 'errcode_45011', status: 'degraded', retry: { kind: 'after', ms: 60_000 } },
  ...[40164, 48001, 40097].map(errcodeConfiguration),
  errcodeOther,
  ...ticketTransport,
];

const wecomTicketRows: Row[] = [
  busy,
  ...[40014, 42001, 41001, 40001].map(parentToken),
  { match: 'errcode=45009', kind: 'transient', code: 'errcode_45009', status: 'degraded', retry: { kind: 'after', ms: 300_000 } },
  ...[60020, 48002, 40097].map(errcodeConfiguration),
  errcodeOther,
  ...ticketTransport,
];

/** A platform whose ticket has not been pushed yet: nothing is sent, it waits for the push. */
const noTicket: Row = { match: 'no ticket yet', kind: 'reauth', code: 'ticket_missing', status: 'reauth_required', retry: none };
const missingGrant: Row = { match: 'grant without refresh token', kind: 'configuration', code: 'missing_refresh_token', status: 'reauth_required', retry: none };
const errcodeReauth = (n: number): Row => ({ match: `errcode=${n}`, kind: 'reauth', code: `errcode_${n}`, status: 'reauth_required', retry: none });

const wechatComponentRows: Row[] = [
  noTicket,
  busy,
  dailyQuota,
  ...[61005, 61006].map(errcodeReauth),
  ...[40013, 40125, 40001, 61004, 41002, 41004].map(errcodeConfiguration),
  errcodeOther,
  ...transport,
];

const wechatAuthorizerRows: Row[] = [
  missingGrant,
  busy,
  ...[40001, 40014, 42001, 41001].map(parentToken),
  ...[61023, 61003].map(errcodeReauth),
  dailyQuota,
  ...[61004, 40013].map(errcodeConfiguration),
  errcodeOther,
  ...transport,
];

const wecomSuiteRows: Row[] = [
  noTicket,
  busy,
  dailyQuota,
  errcodeReauth(40085),
  ...[40083, 40001, 40091, 60020].map(errcodeConfiguration),
  errcodeOther,
  ...transport,
];

const wecomCorpRows: Row[] = [
  missingGrant,
  busy,
  ...[40082, 42009].map(parentToken),
  errcodeReauth(40084),
  dailyQuota,
  ...[40013, 60020].map(errcodeConfiguration),
  errcodeOther,
  ...transport,
];

/** Every documented row of every provider. */
export const expectedRows: readonly ExpectedRow[] = [
  ...oauthRows(true).map((r) => ({ provider: 'oauth2' as const, ...r })),
  ...oauthRows(false).map((r) => ({ provider: 'oauth2_client_credentials' as const, ...r })),
  ...jwtBearerRows.map((r) => ({ provider: 'jwt_bearer' as const, ...r })),
  ...githubAppRows.map((r) => ({ provider: 'github_app' as const, ...r })),
  ...wechatRows.map((r) => ({ provider: 'wechat' as const, ...r })),
  ...wecomRows.map((r) => ({ provider: 'wecom' as const, ...r })),
  ...wechatTicketRows.map((r) => ({ provider: 'wechat_jsapi_ticket' as const, ...r })),
  ...wechatTicketRows.map((r) => ({ provider: 'wechat_card_ticket' as const, ...r })),
  ...wecomTicketRows.map((r) => ({ provider: 'wecom_jsapi_ticket' as const, ...r })),
  ...wechatComponentRows.map((r) => ({ provider: 'wechat_component' as const, ...r })),
  ...wechatAuthorizerRows.map((r) => ({ provider: 'wechat_authorizer' as const, ...r })),
  ...wecomSuiteRows.map((r) => ({ provider: 'wecom_suite' as const, ...r })),
  ...wecomCorpRows.map((r) => ({ provider: 'wecom_corp' as const, ...r })),
];
