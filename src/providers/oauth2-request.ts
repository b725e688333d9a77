/**
 * The token request of the OAuth 2.0 providers, built from their configuration: the client
 * authentication (a secret in a Basic header or in the body, or a `private_key_jwt` client
 * assertion signed with jose, RFC 7523 §2.2 / OpenID Connect Core §9) and the extra parameters.
 */
import * as oauth from 'oauth4webapi';
import type { OAuth2Config } from './oauth2-config';
import type { OAuth2Grant, TokenRequest } from './oauth2-exchange';
import { presetByName } from './presets';
import { extraParameters } from './request-extras';
import { epochSeconds, newJwtId, signJwt } from './signing-key';

/** The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2). */
export const jwtClientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Lifetime of a client assertion: one minute, enough for one request. */
export const clientAssertionLifetimeS = 60;

/**
 * A signed client assertion: `iss` and `sub` the client id, `aud` the configured audience or the
 * token endpoint, a fresh `jti`, issued now and valid for `clientAssertionLifetimeS`.
 */
export async function clientAssertion(config: OAuth2Config, tokenEndpoint: string, now: number): Promise<string> {
  if (config.privateKey === undefined) throw new Error('private_key_jwt without privateKey (the configuration was not validated)');
  const iat = epochSeconds(now);
  const claims = { iss: config.clientId, sub: config.clientId, aud: config.assertionAudience ?? tokenEndpoint, jti: newJwtId(), iat, exp: iat + clientAssertionLifetimeS };
  return signJwt(claims, { privateKey: config.privateKey, algorithm: config.signingAlgorithm, keyId: config.keyId });
}

/** An oauth4webapi client authentication that puts a prepared client assertion in the body. */
function assertionAuth(assertion: string): oauth.ClientAuth {
  return (_as, client, body) => {
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', jwtClientAssertionType);
    body.set('client_assertion', assertion);
  };
}

/** The token request for `grant` with this configuration; signs the client assertion (`private_key_jwt`) at `now`. */
export async function oauth2Request(config: OAuth2Config, grant: OAuth2Grant, now: number): Promise<TokenRequest> {
  const sentRefreshToken = grant.type === 'refresh_token' ? grant.refreshToken : undefined;
  let auth: oauth.ClientAuth;
  let assertion: string | undefined;
  if (config.clientAuth === 'private_key_jwt') {
    assertion = config.tokenEndpoint === undefined ? '' : await clientAssertion(config, config.tokenEndpoint, now);
    auth = assertionAuth(assertion);
  } else {
    const secret = config.clientSecret ?? '';
    auth = config.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
  }
  return {
    tokenEndpoint: config.tokenEndpoint,
    issuer: config.issuer,
    clientId: config.clientId,
    auth,
    grant,
    parameters: [...(config.scope !== undefined ? [['scope', config.scope] as [string, string]] : []), ...extraParameters(config)],
    allowInsecureHttp: config.allowInsecureHttp,
    scope: config.scope,
    metadataFields: config.metadataFields,
    secrets: [config.clientSecret, config.privateKey, sentRefreshToken, assertion],
    ...(config.preset !== undefined && presetByName(config.preset) ? { preset: presetByName(config.preset) } : {}),
  };
}
