/** How the fake OAuth 2.0 server reads client authentication (RFC 6749 §2.3.1) from a token request. */
import type { IncomingMessage } from 'node:http';

/** Client authentication methods the fake understands. */
export type FakeClientAuth = 'client_secret_basic' | 'client_secret_post';

/** The client a request claims to be, how, and what is wrong with it (more than one method). */
export interface ClaimedClient {
  method: FakeClientAuth | 'none';
  clientId: string | undefined;
  secret: string | undefined;
  problem: string | undefined;
}

/** Decodes one `application/x-www-form-urlencoded` component (Basic credentials are encoded so first). */
function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Reads the client credentials of a token request: an HTTP Basic header, or body fields. */
export function clientAuthOf(req: IncomingMessage, params: URLSearchParams): ClaimedClient {
  const header = req.headers.authorization;
  const bodyId = params.get('client_id') ?? undefined;
  const bodySecret = params.get('client_secret') ?? undefined;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
    const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
    const conflict = bodySecret !== undefined || (bodyId !== undefined && bodyId !== clientId);
    return { method: 'client_secret_basic', clientId, secret, problem: conflict ? 'more than one client authentication method' : undefined };
  }
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret, problem: undefined };
  return { method: 'none', clientId: bodyId, secret: undefined, problem: undefined };
}
