/**
 * Property-based tests (fast-check). The oracle is the test's own table of denied ranges
 * (spellings.ts), not src/egress: addresses in denied ranges, in any spelling, are always
 * refused, and in canonical form by the expected rule, at registration and at connect time;
 * random public addresses are allowed; random strings never crash `canonicalUrl` and either
 * canonicalise idempotently or give a problem.
 */
import fc from 'fast-check';
import { canonicalUrl, checkEgressUrl, decideAddress, egressPolicyFromEnv } from '../../../src/egress';
import { parseIpLiteral } from '../../../src/egress/address';
import { deniedIPv4, deniedIPv6, expectedIPv4Rule, intToIpv4, ipv4SpellingCount, ipv4ToInt, isDeniedIPv4, spellIPv4 } from './spellings';

const production = egressPolicyFromEnv({}, { development: false });
const development = egressPolicyFromEnv({}, { development: true });
const runs = { numRuns: 1000 };

const scheme = fc.constantFrom('http', 'https', 'HTTPS');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }).map((p) => (p === undefined ? '' : `:${p}`));

/** A uint32 inside one of the denied IPv4 ranges. */
const deniedIPv4Int = fc.tuple(fc.constantFrom(...deniedIPv4), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([[net, prefix], bits]) => ipv4ToInt(net) + (bits % 2 ** (32 - prefix)));

/** The rule `url` breaks at registration, or 'ok'. */
function rule(url: string, policy = production): string {
  const result = checkEgressUrl(url, policy, 'f');
  return result.ok ? 'ok' : result.rule;
}

/** The connect-time decision for the host of canonical `href`: 'ok' or the rule. */
function connectRule(href: string, policy = production): string {
  const address = parseIpLiteral(new URL(href).hostname);
  if (!address) throw new Error(`not an IP literal: ${href}`);
  const decision = decideAddress(policy, address);
  return decision.allowed ? 'ok' : decision.rule;
}

/** `new URL(text).href`, or undefined when the parser refuses it. */
function parsedHref(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

test('an IPv4 address in a denied range is refused in every spelling, and by its rule once canonical', () => {
  const styles = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 });
  fc.assert(
    fc.property(deniedIPv4Int, fc.nat(ipv4SpellingCount - 1), styles, scheme, port, (n, which, style, s, p) => {
      const url = `${s}://${spellIPv4(n, which, style)}${p}/latest/meta-data/`;
      const expected = expectedIPv4Rule(n);
      expect(rule(url)).not.toBe('ok');
      if (expected !== 'loopback_address') expect(rule(url, development)).not.toBe('ok');
      const href = parsedHref(url);
      if (href === undefined) return;
      expect(rule(href)).toBe(expected);
      expect(connectRule(href)).toBe(expected);
    }),
    runs,
  );
});

test('a public IPv4 address is allowed, dotted or IPv4-mapped, at registration and at connect time', () => {
  const publicInt = fc.integer({ min: 0, max: 2 ** 32 - 1 }).filter((n) => !isDeniedIPv4(n));
  fc.assert(
    fc.property(publicInt, scheme, port, (n, s, p) => {
      for (const host of [intToIpv4(n), spellIPv4(n, 7)]) {
        const href = parsedHref(`${s}://${host}${p}/token`) ?? '';
        expect(rule(href)).toBe('ok');
        expect(connectRule(href)).toBe('ok');
      }
    }),
    runs,
  );
});

/** Eight random hextets with the first `prefix` bits taken from `first`. */
function hextets(first: number[], prefix: number, random: number[]): number[] {
  return random.map((value, i) => {
    const fixedBits = Math.max(0, Math.min(16, prefix - 16 * i));
    const mask = fixedBits === 0 ? 0 : (0xffff << (16 - fixedBits)) & 0xffff;
    return ((first[i] ?? 0) & mask) | (value & ~mask & 0xffff);
  });
}

const randomHextets = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
const upper = fc.boolean();

test('an IPv6 address in a denied range is refused in any spelling, and by its rule once canonical', () => {
  fc.assert(
    fc.property(fc.constantFrom(...deniedIPv6), randomHextets, upper, port, ([first, prefix, expected], random, up, p) => {
      const text = hextets(first, prefix, random).map((h) => h.toString(16)).join(':');
      const url = `https://[${up ? text.toUpperCase() : text}]${p}/token`;
      expect(rule(url)).not.toBe('ok');
      expect(rule(url, development)).not.toBe('ok');
      const href = parsedHref(url) ?? '';
      expect(rule(href)).toBe(expected);
      expect(connectRule(href)).toBe(expected);
    }),
    runs,
  );
});

test('a global unicast IPv6 address (2400::/6 to 2fff::/16) is allowed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0x2400, max: 0x2fff }), randomHextets, (head, random) => {
      const href = parsedHref(`https://[${[head, ...random.slice(1)].map((h) => h.toString(16)).join(':')}]/token`) ?? '';
      expect(rule(href)).toBe('ok');
      expect(connectRule(href)).toBe('ok');
    }),
    runs,
  );
});

/** Pieces URLs are made of, including the tricky ones. */
const urlPiece = fc.constantFrom(
  'http', 'https', 'HTTP', 'ftp', ':', '//', '/', '\\', '@', '[', ']', '::', '%', '%2e', '%41', '.', '..', '0x7f', '0177', '127', '1', '255', '169.254.169.254',
  'example', 'com', 'localhost', 'xn--', 'b\u00fccher', '?', '#', '&', '=', 'a b', ' ', '\t', '\n', '\u0000', '\u202e', '\u200b', '\u00ad', ':443', ':80', ':0', 'user:pw@',
);
const urlLike = fc.array(urlPiece, { maxLength: 12 }).map((pieces) => pieces.join(''));
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), urlLike, fc.webUrl({ withQueryParameters: true, withFragments: true }));

test('canonicalUrl never throws, and what it accepts is the parser output and canonical again', () => {
  fc.assert(
    fc.property(anyString, (input) => {
      const result = canonicalUrl(input);
      if ('problem' in result) {
        expect(typeof result.problem).toBe('string');
        return;
      }
      expect(result.url).toBe(new URL(input).href);
      expect(canonicalUrl(result.url)).toEqual(result);
      expect([...result.url].some((c) => { const n = c.codePointAt(0) ?? 0; return n <= 0x1f || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069); })).toBe(false);
    }),
    { numRuns: 3000 },
  );
});

test('checkEgressUrl never throws, and an accepted URL checks again to itself', () => {
  fc.assert(
    fc.property(anyString, (input) => {
      const result = checkEgressUrl(input, production, 'f');
      if (result.ok) expect(checkEgressUrl(result.url, production, 'f')).toEqual(result);
      else expect(result.reason).toContain(result.rule);
    }),
    { numRuns: 3000 },
  );
});
