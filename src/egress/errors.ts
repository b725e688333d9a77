/**
 * The error an outbound call fails with when the egress policy refuses its destination at
 * connect time. It names the host and the rule, never an address it resolved to (that would
 * let a caller map internal DNS) and never anything from the request.
 */
import { HalflifeError } from '../errors';
import { describeRule, type EgressRule } from './rules';

/** Stable code of `EgressDeniedError`. */
export const egressDeniedCode = 'egress_denied';

/** The egress policy refused to connect to `host` because of `rule`. */
export class EgressDeniedError extends HalflifeError {
  /** The rule that refused the destination (`private_address`, `denied_host`...). */
  readonly rule: EgressRule;
  /** The host name or IP literal of the refused URL. */
  readonly host: string;

  constructor(host: string, rule: EgressRule) {
    super(`egress to ${host} refused: ${describeRule(rule)}`, egressDeniedCode);
    this.rule = rule;
    this.host = host;
  }
}
Object.defineProperty(EgressDeniedError.prototype, 'name', { value: 'EgressDeniedError' });

/** True for an `EgressDeniedError`, checked by name and code (works across module registries). */
export function isEgressDeniedError(err: unknown): err is EgressDeniedError {
  const e = err as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'EgressDeniedError' && e.code === egressDeniedCode;
}
