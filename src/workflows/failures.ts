/**
 * The failures credential updates answer with, as `ApplicationFailure`s whose `type` the client
 * maps back to error classes (../client/errors-map.ts). Messages carry codes and scrubbed provider
 * text only, never a secret.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { LastError } from '../credential';
import {
  credentialExistsFailureType,
  reauthRequiredFailureType,
  refreshFailedFailureType,
  retryOnNewRunFailureType,
  revokedFailureType,
  upstreamFailingFailureType,
} from '../failure-types';

function failure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, ...(details !== undefined ? { details: [details] } : {}) });
}

/** The credential was revoked. */
export function revokedFailure(): ApplicationFailure {
  return failure(revokedFailureType, 'credential revoked');
}

/** The grant was rejected (or the configuration is wrong): a person must re-authorize. */
export function reauthRequiredFailure(error: LastError | undefined): ApplicationFailure {
  return failure(reauthRequiredFailureType, error ? `${error.code}: ${error.message}` : 'the grant was rejected', error);
}

/** No valid token and the provider is failing; the last error says how. */
export function upstreamFailingFailure(error: LastError | undefined): ApplicationFailure {
  const detail = error ? `${error.code}: ${error.message}` : 'no answer yet';
  return failure(upstreamFailingFailureType, `the token endpoint is failing and no valid token is left (${detail})`, error && { code: error.code, message: error.message });
}

/** No valid token, and a hard budget (daily quota, force budget) forbids a call now. */
export function budgetFailure(code: 'daily_quota' | 'force_budget' | 'cooldown', nextAllowedAt: number): ApplicationFailure {
  const what = code === 'force_budget' ? 'force refresh budget spent' : code === 'cooldown' ? 'refresh cooldown' : 'daily refresh quota reached';
  return failure(refreshFailedFailureType, `${what}; next call allowed at ${new Date(nextAllowedAt).toISOString()}`, { code, nextAllowedAt });
}

/** The run is draining for continue-as-new: the request is to be retried on the next run. */
export function retryOnNewRunFailure(): ApplicationFailure {
  return failure(retryOnNewRunFailureType, 'the credential is continuing as new; retry the request');
}

/** A create-only registration met a credential registered with another configuration or grant. */
export function credentialExistsFailure(id: string): ApplicationFailure {
  return failure(credentialExistsFailureType, `credential ${id} is already registered with another configuration`);
}
