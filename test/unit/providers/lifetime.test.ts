/** The lifetime rules (issue 19.3): every example of every row of the table docs/providers.md embeds. */
import { lifetimeMs, lifetimeRules } from '../../../src/providers/lifetime';
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
