/**
 * Recognises errors that mean "this access token was rejected", so `withToken` can refresh and
 * retry once: HTTP 401, and WeChat/WeCom errcodes 40001 (invalid credential), 40014 (invalid
 * access_token) and 42001 (access_token expired).
 */

/** WeChat / WeCom errcodes that mean the access token is invalid or expired. */
export const tokenRejectedErrcodes: readonly number[] = [40001, 40014, 42001];

function numberField(value: unknown, ...path: string[]): number | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  const n = typeof current === 'string' ? Number(current) : current;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** The default test of `withToken`: HTTP 401 (in the usual error shapes) or a token-rejected errcode. */
export function isAuthError(err: unknown): boolean {
  const status =
    numberField(err, 'status') ??
    numberField(err, 'statusCode') ??
    numberField(err, 'response', 'status') ??
    numberField(err, 'response', 'statusCode');
  if (status === 401) return true;
  const errcode = numberField(err, 'errcode') ?? numberField(err, 'body', 'errcode') ?? numberField(err, 'data', 'errcode');
  return errcode !== undefined && tokenRejectedErrcodes.includes(errcode);
}
