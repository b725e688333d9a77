/**
 * Maps Temporal client errors to Halflife's error classes, so callers see
 * `CredentialNotFoundError`, `ReauthRequiredError`, ... instead of transport details.
 */
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  CredentialExistsError,
  CredentialNotFoundError,
  InvalidConfigError,
  ReauthRequiredError,
  RefreshFailedError,
} from '../errors';
import {
  invalidArgumentFailureType,
  reauthRequiredFailureType,
  refreshFailedFailureType,
  revokedFailureType,
} from '../failure-types';

function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Translates an error from a workflow call about credential `id`. */
export function translateError(err: unknown, id: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new CredentialNotFoundError(id, { cause: err });
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new CredentialExistsError(id, { cause: err });
  const failure = applicationFailureOf(err);
  if (!failure || !(err instanceof WorkflowUpdateFailedError || failure === err || err instanceof Error)) return err;
  switch (failure.type) {
    case revokedFailureType:
      return new CredentialNotFoundError(id, { cause: err });
    case reauthRequiredFailureType:
      return new ReauthRequiredError(id, failure.message, { cause: err });
    case invalidArgumentFailureType: {
      const d = failure.details?.[0] as { field?: string; reason?: string } | undefined;
      return new InvalidConfigError(d?.field ?? 'request', d?.reason ?? failure.message);
    }
    case refreshFailedFailureType: {
      const d = failure.details?.[0] as { code?: string } | undefined;
      return new RefreshFailedError(id, d?.code ?? 'refresh_failed', failure.message, { cause: err });
    }
    default:
      return err;
  }
}
