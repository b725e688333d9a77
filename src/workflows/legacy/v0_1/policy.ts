/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * Validation of refresh policies: one table of bounds used by the registration schema and by the
 * workflow's update validators, so both reject the same input with the same words.
 */
import type { RefreshPolicy } from './credential';

interface Bound {
  min: number;
  max: number;
  integer: boolean;
}

/** Allowed range of every policy field. */
export const policyBounds: Readonly<Record<keyof RefreshPolicy, Bound>> = {
  refreshRatio: { min: 0.05, max: 0.95, integer: false },
  jitterRatio: { min: 0, max: 0.2, integer: false },
  minRefreshIntervalMs: { min: 0, max: 86_400_000, integer: true },
  maxRefreshesPerDay: { min: 1, max: 100_000, integer: true },
  defaultLifetimeMs: { min: 1_000, max: 31_536_000_000, integer: true },
  retryInitialMs: { min: 1, max: 3_600_000, integer: true },
  retryMaxMs: { min: 1, max: 86_400_000, integer: true },
  upstreamTimeoutMs: { min: 100, max: 300_000, integer: true },
  maxCyclesPerRun: { min: 1, max: 10_000, integer: true },
};

/** A problem with one field of the input. */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** The first problem in a (partial) policy, or undefined when it is valid. `prefix` names the field's parent. */
export function policyProblem(patch: unknown, prefix = 'policy'): FieldProblem | undefined {
  if (patch === undefined) return undefined;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { field: prefix, reason: 'must be an object' };
  }
  for (const [name, value] of Object.entries(patch)) {
    const bound = policyBounds[name as keyof RefreshPolicy];
    const field = `${prefix}.${name}`;
    if (!bound) return { field, reason: 'is not a policy field' };
    if (typeof value !== 'number' || !Number.isFinite(value)) return { field, reason: 'must be a finite number' };
    if (bound.integer && !Number.isInteger(value)) return { field, reason: 'must be an integer' };
    if (value < bound.min || value > bound.max) {
      return { field, reason: `must be between ${bound.min} and ${bound.max}` };
    }
  }
  const p = patch as Partial<RefreshPolicy>;
  if (p.retryInitialMs !== undefined && p.retryMaxMs !== undefined && p.retryMaxMs < p.retryInitialMs) {
    return { field: `${prefix}.retryMaxMs`, reason: 'must not be smaller than retryInitialMs' };
  }
  return undefined;
}
