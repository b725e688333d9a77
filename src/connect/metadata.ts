/**
 * The authorization server metadata a connect session needs, discovered from an issuer (OpenID
 * Connect Discovery 1.0, then RFC 8414) through oauth4webapi: the authorization, device and token
 * endpoints, the client authentication methods, and whether the server sends `iss` in
 * authorization responses (RFC 9207; then Halflife requires and checks it).
 *
 * (The refresh side's `providers/discovery.ts` keeps only the token endpoint; this reads the rest
 * of the same documents.)
 */
import * as oauth from 'oauth4webapi';
import { InvalidConfigError } from '../errors';
import { cappedFetch } from '../providers/http';
import type { UpstreamFetch } from '../providers/provider';
import { isLoopback } from '../providers/url';

/** What a connect session takes from the metadata. */
export interface ServerMetadata {
  /** The issuer exactly as the metadata spells it. */
  issuer: string;
  tokenEndpoint?: string;
  authorizationEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  tokenEndpointAuthMethods?: string[];
  /** `authorization_response_iss_parameter_supported`. */
  issParameter?: boolean;
  /** `code_challenge_methods_supported`, when listed. */
  codeChallengeMethods?: string[];
}

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Reads the metadata of `issuer`; a server without usable metadata is an `InvalidConfigError` on `issuer`. */
export async function discoverServerMetadata(issuer: string, options: { fetch?: UpstreamFetch; allowInsecureHttp?: boolean; signal?: AbortSignal } = {}): Promise<ServerMetadata> {
  const url = new URL(issuer);
  const send = options.fetch ?? ((target: URL, init: RequestInit) => cappedFetch(target, init));
  const insecure = url.protocol === 'http:' && (isLoopback(url) || options.allowInsecureHttp === true);
  const problems: string[] = [];
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(url, {
        algorithm,
        signal: options.signal ?? AbortSignal.timeout(10_000),
        [oauth.customFetch]: (target: string, init: oauth.CustomFetchOptions<'GET', undefined>) => send(new URL(target), init as RequestInit),
        [oauth.allowInsecureRequests]: insecure,
      });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === oauth.HTTP_REQUEST_FORBIDDEN || code === oauth.REQUEST_PROTOCOL_FORBIDDEN) throw new InvalidConfigError('issuer', 'must use https (plain http is allowed on loopback, or with allow_insecure_http)');
      throw new InvalidConfigError('issuer', `could not be reached for discovery (${typeof code === 'string' ? code : 'network error'})`);
    }
    try {
      const m = await oauth.processDiscoveryResponse(url, response);
      return {
        issuer: m.issuer,
        ...(text(m.token_endpoint) ? { tokenEndpoint: m.token_endpoint } : {}),
        ...(text(m.authorization_endpoint) ? { authorizationEndpoint: m.authorization_endpoint } : {}),
        ...(text(m.device_authorization_endpoint) ? { deviceAuthorizationEndpoint: m.device_authorization_endpoint } : {}),
        ...(strings(m.token_endpoint_auth_methods_supported) ? { tokenEndpointAuthMethods: strings(m.token_endpoint_auth_methods_supported) } : {}),
        ...(m.authorization_response_iss_parameter_supported === true ? { issParameter: true } : {}),
        ...(strings(m.code_challenge_methods_supported) ? { codeChallengeMethods: strings(m.code_challenge_methods_supported) } : {}),
      };
    } catch (err) {
      problems.push(`${algorithm === 'oidc' ? '/.well-known/openid-configuration' : '/.well-known/oauth-authorization-server'} ${response.status === 200 ? `is not usable (${(err as Error).message})` : `answered HTTP ${response.status}`}`);
    }
  }
  throw new InvalidConfigError('issuer', `has no authorization server metadata: ${problems.join('; ')}`);
}
