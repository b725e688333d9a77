/**
 * The authorization request of a connect link (RFC 6749 §4.1.1): `response_type=code`, the
 * client id, the redirect URI (Halflife's callback), `state` (the session token), the scope, a
 * PKCE S256 challenge (RFC 7636) unless the provider is known to refuse it, and the provider's
 * extra parameters (e.g. Google's `access_type=offline&prompt=consent`).
 */
import * as oauth from 'oauth4webapi';
import type { ConnectProfile } from './messages';

/** The authorization URL and the PKCE verifier that goes with it (undefined without PKCE). */
export interface AuthorizationRequest {
  url: string;
  codeVerifier?: string;
}

/** Builds the authorization request of a session. */
export async function authorizationRequest(profile: ConnectProfile, options: { state: string; redirectUri: string }): Promise<AuthorizationRequest> {
  if (!profile.authorizationEndpoint) throw new TypeError('the profile has no authorization endpoint');
  const url = new URL(profile.authorizationEndpoint);
  const codeVerifier = profile.pkce ? oauth.generateRandomCodeVerifier() : undefined;
  for (const [name, value] of Object.entries(profile.authorizationParams)) url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', String(profile.config.clientId));
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', options.state);
  if (profile.scope) url.searchParams.set('scope', profile.scope);
  if (codeVerifier) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { url: url.href, ...(codeVerifier ? { codeVerifier } : {}) };
}
