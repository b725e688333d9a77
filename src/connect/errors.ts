/**
 * The errors of connect links and callbacks: one class with a stable `reason` code per thing that
 * can go wrong, the HTTP status it is answered with, and, for a session that already ended, its
 * outcome (what the callback page shows). Messages never hold a secret.
 */
import { SymbolBasedInstanceOfError } from '@temporalio/common/lib/type-helpers';
import { HalflifeError } from '../errors';
import type { ConnectOutcome } from './messages';

/** Why a connect link or callback was refused. */
export type ConnectErrorReason =
  | 'unknown_session'
  | 'missing_state'
  | 'missing_code'
  | 'session_expired'
  | 'session_used'
  | 'session_in_progress'
  | 'wrong_mode';

/** The HTTP status of each reason. */
export const connectErrorStatus: Readonly<Record<ConnectErrorReason, number>> = {
  unknown_session: 404,
  missing_state: 400,
  missing_code: 400,
  session_expired: 410,
  session_used: 409,
  session_in_progress: 409,
  wrong_mode: 409,
};

/** A connect link or callback that cannot be served; `code` is the reason. */
@SymbolBasedInstanceOfError('ConnectError')
export class ConnectError extends HalflifeError {
  readonly reason: ConnectErrorReason;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The field of the request that is at fault, when one is. */
  readonly field?: string;
  /** How the session ended, when it already had. */
  readonly outcome?: ConnectOutcome;
  /** The credential the session is for, when known. */
  readonly credentialId?: string;

  constructor(reason: ConnectErrorReason, message: string, extra: { field?: string; outcome?: ConnectOutcome; credentialId?: string; cause?: unknown } = {}) {
    super(message, reason, { cause: extra.cause });
    this.reason = reason;
    this.status = connectErrorStatus[reason];
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.outcome !== undefined) this.outcome = extra.outcome;
    if (extra.credentialId !== undefined) this.credentialId = extra.credentialId;
  }
}
