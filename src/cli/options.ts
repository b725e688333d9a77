/** Parsers of numeric CLI options, with errors naming the option (exit code 2). */
import { InvalidConfigError } from '../errors';

/** A commander argument parser for an integer option of at least `min`. */
export function integerOption(name: string, min = 0): (value: string) => number {
  const rule = min === 0 ? 'must be a non-negative integer' : min === 1 ? 'must be a positive integer' : `must be an integer of at least ${min}`;
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidConfigError(name, rule);
    return n;
  };
}
