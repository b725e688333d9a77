/**
 * Client side of a token request, written independently of the provider and of Halflife:
 * client authentication (client_secret_basic, client_secret_post, private_key_jwt with an
 * assertion signed by node:crypto) and PKCE S256.
 *
 * The assertion is signed with node:crypto rather than `jose` because jose ships ES modules only
 * and this project's jest configuration transforms only oauth4webapi; the JWS is the same.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID, sign, type JsonWebKey } from 'node:crypto';

/** The client authentication methods the peer accepts. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** What a token request needs to authenticate a client. */
export interface ClientCredentialsForRequest {
  /** The client id. */
  clientId: string;
  /** How it authenticates. */
  auth: ClientAuthMethod;
  /** The secret (secret methods). */
  clientSecret?: string;
  /** The private JWK (private_key_jwt). */
  privateJwk?: JsonWebKey;
}

/** Headers and form parameters that authenticate a client at `audience` (the token endpoint or issuer). */
export interface ClientAuthentication {
  /** Extra request headers (Authorization for client_secret_basic). */
  headers: Record<string, string>;
  /** Extra form parameters. */
  params: Record<string, string>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/** The JWS algorithm for a private JWK (its `alg`, else the usual one for its key type). */
function algorithmOf(jwk: JsonWebKey): string {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new Error(`privateJwk: no supported algorithm for kty ${String(jwk.kty)}`);
}

/** Signs a compact JWS (RS256, PS256, ES256 or EdDSA) over `payload` with a private JWK. */
export function signJwt(payload: Record<string, unknown>, jwk: JsonWebKey): string {
  const alg = algorithmOf(jwk);
  const header = { alg, typ: 'JWT', ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}) };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  let signature: Buffer;
  if (alg === 'ES256') signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'RS256') signature = sign('sha256', Buffer.from(input), key);
  else if (alg === 'PS256') signature = sign('sha256', Buffer.from(input), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
  else if (alg === 'EdDSA') signature = sign(null, Buffer.from(input), key);
  else throw new Error(`privateJwk: unsupported alg ${alg}`);
  return `${input}.${b64url(signature)}`;
}

/** A private_key_jwt client assertion (RFC 7523 §2.2) for `audience`, valid for 60 s. */
export function clientAssertion(clientId: string, audience: string, jwk: JsonWebKey): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + 60 }, jwk);
}

/** Authentication of `client` for a request to `audience`. Throws naming the missing field. */
export function authenticateClient(client: ClientCredentialsForRequest, audience: string): ClientAuthentication {
  switch (client.auth) {
    case 'client_secret_basic':
      if (!client.clientSecret) throw new Error(`clientSecret: client ${client.clientId} has none`);
      return { headers: { authorization: `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}` }, params: {} };
    case 'client_secret_post':
      if (!client.clientSecret) throw new Error(`clientSecret: client ${client.clientId} has none`);
      return { headers: {}, params: { client_id: client.clientId, client_secret: client.clientSecret } };
    case 'private_key_jwt':
      if (!client.privateJwk) throw new Error(`privateJwk: client ${client.clientId} was registered with its own jwks; pass its private key`);
      return {
        headers: {},
        params: {
          client_id: client.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion(client.clientId, audience, client.privateJwk),
        },
      };
  }
}

/** A PKCE S256 pair (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
