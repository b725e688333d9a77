/**
 * The token request every hand-written baseline makes: a refresh_token grant with
 * client_secret_basic, as people write it with `fetch` (RFC 6749 §6 and §2.3.1).
 */

/** A token endpoint answer that worked. */
export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

/** A token endpoint client. */
export interface TokenClientConfig {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
}

/** A refused or failed token request: the OAuth error code (`invalid_grant`) or `http_<status>`. */
export class TokenRequestError extends Error {
  constructor(readonly code: string, readonly status: number) {
    super(`token endpoint answered ${status} ${code}`);
    this.name = 'TokenRequestError';
  }
}

/** POSTs `grant_type=refresh_token` and returns the new tokens. */
export async function refreshTokenGrant(client: TokenClientConfig, refreshToken: string): Promise<TokenAnswer> {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const response = await fetch(client.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenAnswer> & { error?: string };
  if (!response.ok || typeof body.access_token !== 'string') throw new TokenRequestError(body.error ?? `http_${response.status}`, response.status);
  return body as TokenAnswer;
}
