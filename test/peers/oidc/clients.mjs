/**
 * Clients of the peer: turns the controller's client spec into oidc-provider client metadata,
 * generates what was not given (id, secret, a private_key_jwt key pair), and keeps the record
 * (with its secret or private key: this is a test peer, the controller needs them to mint).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);

/** The grant types a client gets when the spec names none. */
export const DEFAULT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE];

/** The redirect URI a client gets when the spec names none (never followed by the peer). */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1/oidc-peer/callback';

class ClientSpecError extends Error {
  constructor(field, reason) {
    super(`client.${field}: ${reason}`);
    this.name = 'ClientSpecError';
    this.field = field;
  }
}

function generatedKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `client-${randomBytes(4).toString('hex')}`;
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] },
  };
}

/** Validates a spec and fills it in: returns `{ record, metadata }`. Throws naming the field. */
export function buildClient(spec = {}) {
  const auth = spec.auth ?? 'client_secret_basic';
  if (!AUTH_METHODS.has(auth)) throw new ClientSpecError('auth', `must be one of ${[...AUTH_METHODS].join(', ')}, got ${JSON.stringify(auth)}`);
  const clientId = spec.clientId ?? `client-${randomBytes(6).toString('hex')}`;
  if (typeof clientId !== 'string' || clientId.length === 0) throw new ClientSpecError('clientId', 'must be a non-empty string');
  const grantTypes = spec.grantTypes ?? DEFAULT_GRANT_TYPES;
  if (!Array.isArray(grantTypes) || grantTypes.length === 0) throw new ClientSpecError('grantTypes', 'must be a non-empty array');
  const usesRedirect = grantTypes.includes('authorization_code');
  const redirectUris = spec.redirectUris ?? (usesRedirect ? [DEFAULT_REDIRECT_URI] : []);
  if (usesRedirect && redirectUris.length === 0) throw new ClientSpecError('redirectUris', 'authorization_code needs at least one redirect URI');

  const record = { clientId, auth, grantTypes, redirectUris };
  const metadata = {
    client_id: clientId,
    token_endpoint_auth_method: auth,
    grant_types: grantTypes,
    response_types: usesRedirect ? ['code'] : [],
    redirect_uris: redirectUris,
  };
  if (spec.scope !== undefined) metadata.scope = record.scope = spec.scope;
  if (auth === 'private_key_jwt') {
    if (spec.clientSecret !== undefined) throw new ClientSpecError('clientSecret', 'is not used with private_key_jwt');
    if (spec.jwks !== undefined) {
      if (!spec.jwks || !Array.isArray(spec.jwks.keys) || spec.jwks.keys.length === 0) throw new ClientSpecError('jwks', 'must be a JWK Set with at least one public key');
      if (spec.jwks.keys.some((key) => key.d !== undefined)) throw new ClientSpecError('jwks', 'must hold public keys only');
      record.jwks = metadata.jwks = spec.jwks;
    } else {
      const pair = generatedKeyPair();
      record.jwks = metadata.jwks = pair.jwks;
      record.privateJwk = pair.privateJwk;
    }
  } else {
    if (spec.jwks !== undefined) throw new ClientSpecError('jwks', `is only used with private_key_jwt, not ${auth}`);
    const secret = spec.clientSecret ?? randomBytes(24).toString('base64url');
    if (typeof secret !== 'string' || secret.length === 0) throw new ClientSpecError('clientSecret', 'must be a non-empty string');
    record.clientSecret = metadata.client_secret = secret;
  }
  return { record, metadata };
}
