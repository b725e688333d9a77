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
  ProviderMismatchError,
  ReauthRequiredError,
  RefreshFailedError,
  UpstreamFailingError,
  WorkflowFailingError,
} from '../errors';
import {
  credentialExistsFailureType,
  invalidArgumentFailureType,
  providerMismatchFailureType,
  reauthRequiredFailureType,
  refreshFailedFailureType,
  revokedFailureType,
  upstreamFailingFailureType,
} from '../failure-types';
import { isWorkflowTaskFailing } from '../error-outcomes';

function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True for the server's answer to an update or query of a workflow that has completed (a revoked credential). */
function isCompletedWorkflow(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { code?: unknown; message?: unknown };
    if (e.code === 5 && /already completed/i.test(String(e.message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Translates an error from a workflow call about credential `id`. */
export function translateError(err: unknown, id: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new CredentialNotFoundError(id, { cause: err });
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new CredentialExistsError(id, { cause: err });
  if (isCompletedWorkflow(err)) return new CredentialNotFoundError(id, { cause: err });
  const failure = applicationFailureOf(err);
  if (!failure && isWorkflowTaskFailing(err)) {
    return new WorkflowFailingError(id, `its workflow task keeps failing; see docs/operations.md ("A credential that does not answer")`, { cause: err, retryAfterS: 30 });
  }
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
    case credentialExistsFailureType:
      return new CredentialExistsError(id, { cause: err });
    case providerMismatchFailureType: {
      const d = failure.details?.[0] as { current?: string; requested?: string } | undefined;
      return new ProviderMismatchError(id, d?.current ?? 'another provider', d?.requested ?? 'this one');
    }
    case upstreamFailingFailureType:
      return new UpstreamFailingError(id, failure.message, { cause: err, retryAfterS: 5 });
    case refreshFailedFailureType: {
      const d = failure.details?.[0] as { code?: string } | undefined;
      return new RefreshFailedError(id, d?.code ?? 'refresh_failed', failure.message, { cause: err });
    }
    default:
      return err;
  }
}
