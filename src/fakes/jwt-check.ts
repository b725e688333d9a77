/**
 * How the fakes check a JWT they are handed (a JWT bearer assertion, a client assertion, a GitHub
 * App JWT), as a strict server would: the signature with the registered public key (jose), the
 * algorithm, `aud`, the time window (`iat`, `exp`, the longest lifetime), and replay by `jti`.
 * Each refusal names its reason, so tests can tell which rule fired.
 */
import type { KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

/** What a JWT must satisfy. */
export interface JwtRules {
  /** The public key of the signer. */
  key: KeyObject;
  /** Algorithms accepted. */
  algorithms: readonly string[];
  /** Required `aud` (one of them), if any. */
  audience?: string | readonly string[];
  /** The fake's clock (epoch ms). */
  now: number;
  /** Longest `exp − iat`, seconds. */
  maxLifetimeS: number;
  /** How far `iat` may lie in the past, seconds (GitHub: 60 s of backdating); undefined: any. */
  maxAgeS?: number;
  /** Clock skew tolerated, seconds. */
  skewS: number;
  /** `jti` values seen (replay detection); undefined: `jti` is not required. */
  seenJtis?: Set<string>;
}

/** The outcome: the verified claims, or the reason for refusing. */
export type JwtCheck = { ok: true; claims: JWTPayload; alg: string } | { ok: false; reason: string; replay?: boolean };

/** The claims of a JWT without verifying it (to find its signer), or undefined when it is not a JWT. */
export function peekClaims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** Checks `token` against `rules`. */
export async function checkJwt(token: string, rules: JwtRules): Promise<JwtCheck> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return { ok: false, reason: 'not a JWT' };
  }
  if (alg === undefined || !rules.algorithms.includes(alg)) return { ok: false, reason: `algorithm ${alg ?? 'none'} not accepted` };
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, rules.key, {
      algorithms: [...rules.algorithms],
      ...(rules.audience !== undefined ? { audience: typeof rules.audience === 'string' ? rules.audience : [...rules.audience] } : {}),
      currentDate: new Date(rules.now),
      clockTolerance: rules.skewS,
      requiredClaims: ['iat', 'exp'],
    }));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, reason: code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad signature' : `claims refused (${String(code ?? 'invalid')}: ${(err as Error).message})` };
  }
  const nowS = rules.now / 1000;
  const iat = claims.iat ?? 0;
  const exp = claims.exp ?? 0;
  if (iat > nowS + rules.skewS) return { ok: false, reason: 'iat in the future' };
  if (rules.maxAgeS !== undefined && nowS - iat > rules.maxAgeS + rules.skewS) return { ok: false, reason: `iat more than ${rules.maxAgeS} s in the past` };
  if (exp - iat > rules.maxLifetimeS) return { ok: false, reason: `lifetime over ${rules.maxLifetimeS} s` };
  if (exp > nowS + rules.maxLifetimeS + rules.skewS) return { ok: false, reason: `exp more than ${rules.maxLifetimeS} s ahead` };
  if (rules.seenJtis) {
    if (typeof claims.jti !== 'string' || claims.jti === '') return { ok: false, reason: 'no jti' };
    const seen = `${String(claims.iss)}\u0000${claims.jti}`;
    if (rules.seenJtis.has(seen)) return { ok: false, reason: 'jti already used (replay)', replay: true };
    rules.seenJtis.add(seen);
  }
  return { ok: true, claims, alg };
}
