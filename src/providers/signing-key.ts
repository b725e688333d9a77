/**
 * Private keys that sign JWTs (the `jwt_bearer` assertion, the GitHub App JWT, the
 * `private_key_jwt` client assertion): reading them (PEM in PKCS#8, PKCS#1 or SEC1, or a private
 * JWK), checking them against the JWS algorithm at registration, and signing with `jose`.
 *
 * A key is a secret: the fields holding one are secret fields, and no message built here quotes
 * the key or an error that could (Node's parse errors are replaced by a fixed reason).
 */
import { createPrivateKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';

/** The JWS algorithms a key may sign with. */
export const signingAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** A JWS signing algorithm. */
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** Longest key a configuration may carry (16384 characters: an 8192-bit RSA key in PEM is about 6,400). */
export const maxPrivateKeyLength = 16_384;

/** The curve each ECDSA algorithm needs (Node's names). */
const curveOf: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/** A private key from its text: PEM, or a JWK as JSON text. Throws an Error with a fixed, key-free reason. */
export function readPrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(trimmed);
    } catch {
      throw new Error('is neither a PEM private key nor a JWK (its JSON does not parse)');
    }
    if (typeof jwk !== 'object' || jwk === null || typeof (jwk as { d?: unknown }).d !== 'string') throw new Error('is a JWK without its private part (`d`)');
    try {
      return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw new Error('is not a usable private JWK');
    }
  }
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(trimmed)) throw new Error('is a public key or certificate, not a private key');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(trimmed)) throw new Error('is encrypted: give the key without a passphrase');
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(trimmed)) throw new Error('is neither a PEM private key (PKCS#8, PKCS#1 or SEC1) nor a JWK');
  try {
    return createPrivateKey({ key: trimmed, format: 'pem' });
  } catch {
    throw new Error('is not a readable PEM private key');
  }
}

/** The algorithm a key signs with when none is configured: RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519. */
export function defaultAlgorithm(key: KeyObject): SigningAlgorithm | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') return Object.entries(curveOf).find(([, curve]) => curve === key.asymmetricKeyDetails?.namedCurve)?.[0] as SigningAlgorithm | undefined;
  return undefined;
}

/** Why `key` cannot sign with `algorithm`, or undefined when it can. */
export function algorithmProblem(key: KeyObject, algorithm: SigningAlgorithm): string | undefined {
  const type = key.asymmetricKeyType;
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS')) {
    if (type !== 'rsa') return `cannot sign ${algorithm}: it is not an RSA key`;
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return `cannot sign ${algorithm}: RSA keys must have at least 2048 bits`;
    return undefined;
  }
  if (algorithm === 'EdDSA') return type === 'ed25519' ? undefined : 'cannot sign EdDSA: it is not an Ed25519 key';
  if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== curveOf[algorithm]) return `cannot sign ${algorithm}: it is not an EC key on the curve ${algorithm} needs`;
  return undefined;
}

/** The reason a key text is unusable (with `algorithm`, or its default one), or undefined when it can sign. */
export function keyProblem(text: string, algorithm?: SigningAlgorithm): string | undefined {
  let key: KeyObject;
  try {
    key = readPrivateKey(text);
  } catch (err) {
    return (err as Error).message;
  }
  const alg = algorithm ?? defaultAlgorithm(key);
  if (alg === undefined) return `has a key type (${key.asymmetricKeyType ?? 'unknown'}) no supported algorithm signs with`;
  return algorithmProblem(key, alg);
}

const isJwkObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The zod schema of a private key field: PEM text, or a JWK (an object, or its JSON text), kept as
 * text. The key must parse (the reason names the rule, never the key); whether it suits the
 * algorithm is checked by the configuration (`keyProblem`), which knows the algorithm.
 */
export function privateKeySchema() {
  return z
    .union([z.string(), z.looseObject({ kty: z.string() })], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a PEM private key or a JWK') })
    .transform((value) => (isJwkObject(value) ? JSON.stringify(value) : value))
    .superRefine((text, ctx) => {
      if (text.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      else if (text.length > maxPrivateKeyLength) ctx.addIssue({ code: 'custom', message: `must be at most ${maxPrivateKeyLength} characters` });
      else {
        try {
          readPrivateKey(text);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }
    });
}

/** The zod schema of an optional signing algorithm field. */
export function signingAlgorithmSchema() {
  return z.enum(signingAlgorithms, { error: `must be one of ${signingAlgorithms.join(', ')}` }).optional();
}

/** What signs a JWT: the key text, its algorithm (default: by key type) and its `kid`. */
export interface SigningKey {
  privateKey: string;
  algorithm?: SigningAlgorithm;
  keyId?: string;
}

/** Seconds since the epoch of an instant in ms. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A fresh JWT id (`jti`): a random UUID, so a server can refuse a replayed assertion. */
export const newJwtId = (): string => randomUUID();

/** Signs `claims` as a compact JWS (`typ: JWT`, `kid` when given) with jose. */
export async function signJwt(claims: JWTPayload, key: SigningKey): Promise<string> {
  const keyObject = readPrivateKey(key.privateKey);
  const alg = key.algorithm ?? defaultAlgorithm(keyObject);
  if (alg === undefined) throw new Error('the signing key has no supported algorithm');
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(key.keyId !== undefined ? { kid: key.keyId } : {}) }).sign(keyObject);
}
