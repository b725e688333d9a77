/**
 * Zod building blocks for provider configuration, with reasons phrased for `InvalidConfigError`
 * ("is required", "must be a string", ...).
 */
import { z } from 'zod';

/** A required, non-empty string of at most `max` characters. */
export function requiredString(max = 1024) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
}

/** A required secret: non-empty, at most 4096 characters, no leading or trailing whitespace. */
export function secretString() {
  return requiredString(4096).refine((value) => value.trim() === value, 'must not start or end with whitespace');
}

/** An optional boolean. */
export function optionalBoolean() {
  return z.boolean({ error: 'must be true or false' }).optional();
}
