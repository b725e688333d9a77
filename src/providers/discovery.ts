/**
 * Authorization server discovery: from an `issuer`, OpenID Connect Discovery 1.0
 * (`/.well-known/openid-configuration`), then RFC 8414 (`/.well-known/oauth-authorization-server`),
 * through oauth4webapi, find the token endpoint and the client authentication methods it supports.
 * Run at registration (`Provider.complete`), never during a refresh, so a refresh stays one request.
 *
 * The requests go through the egress fetch (`createEgressFetch`: the policy checked on every
 * resolved address, redirects never followed) unless the caller gives its own `fetch`, and the
 * discovered token endpoint is checked like a registered one (canonical form, egress policy).
 *
 * Failures: an unreachable or busy server is a transient `ProviderError` (try again); a server that
 * answers without usable metadata, or whose token endpoint the policy refuses, is an
 * `InvalidConfigError` on `config.issuer`; a refused connection is one with the egress `rule`.
 */
import * as oauth from 'oauth4webapi';
import { createEgressFetch, defaultEgressPolicy, isEgressDeniedError, type EgressLookup, type EgressPolicy } from '../egress';
import { InvalidConfigError, ProviderError } from '../errors';
import { readBodyCapped, transientStatusError, transportError } from './http';
import { secretAuthMethods, type ClientAuthMethod, type OAuth2Config } from './oauth2-config';
import type { CompletionOptions, UpstreamFetch } from './provider';
import { insecureUrlProblem, isLoopback, outboundUrlProblem } from './url';

/** What discovery found. */
export interface DiscoveredServer {
  /** The issuer exactly as the metadata spells it (what an id_token's `iss` must equal). */
  issuer: string;
  tokenEndpoint: string;
  /** `token_endpoint_auth_methods_supported`; absent when the server does not say (then `client_secret_basic`, RFC 8414 §2). */
  tokenEndpointAuthMethods?: string[];
  /** The document that answered. */
  document: 'openid-configuration' | 'oauth-authorization-server';
}

/** Options of `discoverAuthorizationServer`. */
export interface DiscoveryOptions {
  /** Sends the metadata requests. @default an egress fetch under `egressPolicy`, bodies capped at 64 KiB */
  fetch?: UpstreamFetch;
  signal?: AbortSignal;
  /** Allows a plain-http issuer (and token endpoint) that is not on loopback. */
  allowInsecureHttp?: boolean;
  /** Where the metadata requests and the discovered token endpoint may point. @default `defaultEgressPolicy()` */
  egressPolicy?: EgressPolicy;
  /** Name resolution of the default egress fetch (tests inject one). @default the system resolver */
  egressLookup?: EgressLookup;
}

/** An egress fetch whose answers are read whole under the body cap, and its `close`. */
function cappedEgressFetch(policy: EgressPolicy, lookup: EgressLookup | undefined): { fetch: UpstreamFetch; close(): Promise<void> } {
  const send = createEgressFetch(policy, lookup ? { lookup } : {});
  const fetch: UpstreamFetch = async (url, init) => {
    const response = await send(url, init);
    const body = await readBodyCapped(response);
    const nullBody = [101, 204, 205, 304].includes(response.status);
    return new Response(nullBody ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch, close: () => send.close() };
}

const documents = [
  { algorithm: 'oidc', document: 'openid-configuration' },
  { algorithm: 'oauth2', document: 'oauth-authorization-server' },
] as const;

const issuerProblem = (reason: string) => new InvalidConfigError('config.issuer', reason);

/** Finds the token endpoint of `issuer` by OIDC Discovery, then RFC 8414. */
export async function discoverAuthorizationServer(issuer: string | URL, options: DiscoveryOptions = {}): Promise<DiscoveredServer> {
  const policy = options.egressPolicy ?? defaultEgressPolicy();
  if (options.fetch) return discover(new URL(issuer), options.fetch, policy, options);
  const own = cappedEgressFetch(policy, options.egressLookup);
  try {
    return await discover(new URL(issuer), own.fetch, policy, options);
  } finally {
    await own.close();
  }
}

/** `discoverAuthorizationServer` with its fetch and policy chosen. */
async function discover(url: URL, send: UpstreamFetch, policy: EgressPolicy, options: DiscoveryOptions): Promise<DiscoveredServer> {
  const signal = options.signal ?? new AbortController().signal;
  const insecure = url.protocol === 'http:' && (isLoopback(url) || options.allowInsecureHttp === true);
  const problems: string[] = [];
  for (const { algorithm, document } of documents) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(url, {
        algorithm,
        signal,
        [oauth.customFetch]: (target: string, init: oauth.CustomFetchOptions<'GET', undefined>) => send(new URL(target), init as RequestInit),
        [oauth.allowInsecureRequests]: insecure,
      });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === oauth.HTTP_REQUEST_FORBIDDEN || code === oauth.REQUEST_PROTOCOL_FORBIDDEN) throw issuerProblem(insecureUrlProblem(url.href, false) ?? 'must use https');
      const denied = [err, (err as { cause?: unknown } | undefined)?.cause].find(isEgressDeniedError);
      if (denied) throw new InvalidConfigError('config.issuer', `discovery: ${denied.message}`, { rule: denied.rule });
      throw transportError(err, signal);
    }
    const transient = transientStatusError(response.status, response.headers, Date.now());
    if (transient) {
      throw new ProviderError('transient', transient.code, `discovery: /.well-known/${document} answered HTTP ${response.status}`, { httpStatus: response.status, retryAfterMs: transient.retryAfterMs });
    }
    try {
      return fromMetadata(await oauth.processDiscoveryResponse(url, response), document, options.allowInsecureHttp, policy);
    } catch (err) {
      if ((err as { name?: unknown }).name === 'InvalidConfigError') throw err;
      problems.push(`/.well-known/${document} ${response.status === 200 ? `is not usable (${(err as Error).message})` : `answered HTTP ${response.status}`}`);
    }
  }
  throw issuerProblem(`has no authorization server metadata: ${problems.join('; ')}`);
}

/** The discovered server of validated metadata, refusing a missing or unusable token endpoint. */
function fromMetadata(metadata: oauth.AuthorizationServer, document: DiscoveredServer['document'], allowInsecureHttp: boolean | undefined, policy: EgressPolicy): DiscoveredServer {
  const endpoint = metadata.token_endpoint;
  if (typeof endpoint !== 'string') throw issuerProblem(`its ${document} metadata names no token_endpoint`);
  const checked = outboundUrlProblem(endpoint, policy);
  const insecure = insecureUrlProblem(endpoint, allowInsecureHttp);
  const problem = 'problem' in checked ? checked.problem : insecure === undefined ? undefined : { reason: insecure, rule: undefined };
  if (problem) {
    throw new InvalidConfigError('config.issuer', `its ${document} metadata has an unusable token_endpoint (${problem.reason})`, problem.rule ? { rule: problem.rule } : undefined);
  }
  const methods = metadata.token_endpoint_auth_methods_supported;
  return {
    issuer: metadata.issuer,
    tokenEndpoint: 'url' in checked ? checked.url : endpoint,
    ...(Array.isArray(methods) ? { tokenEndpointAuthMethods: methods.filter((m): m is string => typeof m === 'string') } : {}),
    document,
  };
}

/**
 * The client authentication to use: the configured one when the server supports it (or does not
 * say), else the other secret method when the configured one is a secret method (`private_key_jwt`
 * has no alternative: the configuration holds a key, not a secret); none usable is an
 * `InvalidConfigError`.
 */
export function chooseClientAuth(configured: ClientAuthMethod, supported: readonly string[] | undefined): ClientAuthMethod {
  if (supported === undefined || supported.includes(configured)) return configured;
  const other = secretAuthMethods.includes(configured) ? secretAuthMethods.find((m) => supported.includes(m)) : undefined;
  if (other) return other;
  const usable = secretAuthMethods.includes(configured) ? secretAuthMethods : [configured];
  throw new InvalidConfigError('config.clientAuth', `the server supports none of ${usable.join(', ')} (it lists ${supported.slice(0, 5).join(', ') || 'nothing'})`);
}

/** `Provider.complete` of the OAuth 2.0 providers: with `issuer` and no `tokenEndpoint`, discovers it. */
export async function completeFromIssuer(config: OAuth2Config, options: CompletionOptions & Pick<DiscoveryOptions, 'egressPolicy' | 'egressLookup'>): Promise<OAuth2Config> {
  if (config.tokenEndpoint !== undefined || config.issuer === undefined) return config;
  const server = await discoverAuthorizationServer(config.issuer, { ...options, allowInsecureHttp: config.allowInsecureHttp });
  return { ...config, issuer: server.issuer, tokenEndpoint: server.tokenEndpoint, clientAuth: chooseClientAuth(config.clientAuth, server.tokenEndpointAuthMethods) };
}
