/** The lifetime rules (issue 19.3): every example of every row of the table docs/providers.md embeds. */
import { issuerRoundingMs, lifetimeMs, lifetimeRules } from '../../../src/providers/lifetime';
import { providerFailure } from './kit';

const defaultMs = 42_000;
const cases = lifetimeRules.flatMap((rule) => rule.examples.map(([value, outcome]) => [rule.seen, value, outcome] as const));

describe('lifetimeMs', () => {
  test.each(cases)('%s: %p → %p', async (_rule, value, outcome) => {
    if (outcome === 'invalid') {
      const err = await providerFailure(Promise.resolve().then(() => lifetimeMs(value, defaultMs)));
      expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'malformed', code: 'invalid_expires_in' });
    } else {
      expect(lifetimeMs(value, defaultMs)).toBe(outcome === 'default' ? defaultMs : outcome);
    }
  });

  test('every rule has examples', () => {
    for (const rule of lifetimeRules) expect(rule.examples.length).toBeGreaterThan(0);
  });
});

describe('issuerRoundingMs (an OAuth 2.0 answer\'s whole seconds)', () => {
  test.each<[unknown, number, number]>([
    [3600, 3_600_000, 1_000],
    ['120', 120_000, 1_000],
    [2, 2_000, 1_000],
    [1, 1_000, 0], // never under the shortest lifetime
    [59.5, 59_500, 0], // a fraction: the issuer's clock is finer than seconds
    [undefined, 3_600_000, 0], // the default lifetime is Halflife's own
    [2_147_483_647, 365 * 86_400_000, 0], // clamped to a year: shorter than meant already
  ])('expires_in %p (lifetime %p ms) loses %p ms', (expiresIn, lifetime, lost) => {
    expect(issuerRoundingMs(expiresIn, lifetime)).toBe(lost);
  });
});
