/**
 * How a token's `expires_in` becomes its lifetime: one rule per kind of value, as data. Providers
 * call `lifetimeMs`; `docs/providers.md` embeds `lifetimeMarkdown()` (a unit test checks it) and a
 * unit test runs every example of every rule.
 *
 * The lifetime counts from the instant the request was sent, not when the answer arrived: a token
 * is never believed to live longer than the provider meant. For the same reason an OAuth 2.0 token
 * endpoint's whole number of seconds counts one second less (`issuerRoundingMs`).
 */
import { ProviderError } from '../errors';

/** Longest lifetime a token is believed to have (365 days); longer `expires_in` values are clamped. */
export const maxLifetimeMs = 365 * 86_400_000;

/** Shortest lifetime Halflife schedules (one second); shorter positive values are raised to it. */
export const minLifetimeMs = 1_000;

/** What an example of a rule gives: a lifetime in ms, the default lifetime, or `invalid_expires_in`. */
export type LifetimeOutcome = number | 'default' | 'invalid';

/** One rule: a kind of `expires_in` value, what Halflife does with it, and examples that prove it. */
export interface LifetimeRule {
  seen: string;
  rule: string;
  examples: ReadonlyArray<readonly [value: unknown, outcome: LifetimeOutcome]>;
}

const invalid = '`invalid_expires_in` (malformed): retried with backoff, a rotated refresh token kept';

/** Every rule, in documentation order. */
export const lifetimeRules: readonly LifetimeRule[] = [
  { seen: 'absent or `null`', rule: 'the default lifetime (`ctx.defaultLifetimeMs`: the credential\'s `policy.defaultLifetimeMs`, default 1 h)', examples: [[undefined, 'default'], [null, 'default']] },
  { seen: 'a positive number (`3600`, `59.5`)', rule: 'that many seconds, to the millisecond', examples: [[3600, 3_600_000], [59.5, 59_500]] },
  { seen: 'a numeric string (`"3600"`, `" 7200 "`)', rule: 'parsed, then as a number', examples: [['3600', 3_600_000], [' 7200 ', 7_200_000], ['90.5', 90_500]] },
  { seen: 'under one second (`0.2`)', rule: 'one second, the shortest lifetime Halflife schedules', examples: [[0.2, minLifetimeMs], ['0.5', minLifetimeMs]] },
  { seen: 'over 365 days (`2147483647`)', rule: 'clamped to 365 days (servers send it for "never"; the token is refreshed earlier than needed)', examples: [[2_147_483_647, maxLifetimeMs], [1e12, maxLifetimeMs]] },
  { seen: 'zero (`0`, `"0"`)', rule: `${invalid}; the token may be dead already, and a zero lifetime would refresh without pause`, examples: [[0, 'invalid'], ['0', 'invalid']] },
  { seen: 'negative (`-5`, `"-5"`)', rule: invalid, examples: [[-5, 'invalid'], ['-5', 'invalid']] },
  { seen: 'a non-numeric string (`"soon"`, `""`, `"1e3"`, `"3600s"`)', rule: invalid, examples: [['soon', 'invalid'], ['', 'invalid'], ['1e3', 'invalid'], ['3600s', 'invalid']] },
  { seen: 'not finite (`1e999` in JSON reads as Infinity)', rule: invalid, examples: [[Number.POSITIVE_INFINITY, 'invalid'], [Number.NaN, 'invalid']] },
  { seen: 'another type (`true`, `{}`, `[]`)', rule: invalid, examples: [[true, 'invalid'], [{}, 'invalid'], [[], 'invalid']] },
];

/** The `invalid_expires_in` error for `value`. */
function invalidExpiresIn(value: unknown): ProviderError {
  const shown = typeof value === 'number' ? String(value) : `a ${Array.isArray(value) ? 'list' : typeof value}`;
  return new ProviderError('malformed', 'invalid_expires_in', `expires_in must be a positive number of seconds, got ${shown}`);
}

/** A token's lifetime in ms from `expires_in` (seconds), by the rules of `lifetimeRules`; throws `invalid_expires_in`. */
export function lifetimeMs(expiresIn: unknown, defaultLifetimeMs: number): number {
  if (expiresIn === undefined || expiresIn === null) return defaultLifetimeMs;
  const seconds = typeof expiresIn === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw invalidExpiresIn(seconds);
  return Math.min(Math.max(Math.round(seconds * 1000), minLifetimeMs), maxLifetimeMs);
}

/** The rules as the Markdown table `docs/providers.md` embeds. */
export function lifetimeMarkdown(): string {
  return ['| `expires_in` | lifetime |', '|---|---|', ...lifetimeRules.map((r) => `| ${r.seen} | ${r.rule} |`)].join('\n');
}

/**
 * What an OAuth 2.0 token answer's lifetime loses to the issuer's whole-second clock: one second
 * when `expires_in` is a whole number of seconds, else nothing. Issuers that date tokens in whole
 * seconds (`exp` = `iat` + lifetime with `iat` rounded down: oidc-provider, most JWT issuers)
 * expire them up to a second before "sent + expires_in"; `npm run chaos` measured tokens served up
 * to 0.7 s past oidc-provider's expiry before this second was taken off. Never below the shortest
 * lifetime. (WeChat and WeCom count their own lifetimes exactly and keep theirs.)
 */
export function issuerRoundingMs(expiresIn: unknown, lifetime: number): number {
  if (expiresIn === undefined || expiresIn === null || lifetime % 1_000 !== 0 || lifetime >= maxLifetimeMs) return 0; // clamped: shorter already
  return Math.min(1_000, Math.max(0, lifetime - minLifetimeMs));
}
