/**
 * Update validators of the credential workflow: they reject bad input before it is accepted
 * (nothing reaches history), with an `InvalidArgument` failure naming the field. While a run
 * drains for continue-as-new they reject every update with `RetryOnNewRun`, which the client
 * retries on the next run without its caller noticing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { invalidArgumentFailureType, providerMismatchFailureType } from '../failure-types';
import type { ReauthorizeRequest, ReconfigureRequest, RefreshRequest, RegisterRequest } from '../messages';
import { policyProblem } from '../policy';
import { retryOnNewRunFailure } from './failures';
import type { CredentialState } from './state';

const maxSecretLength = 16_384;

function reject(field: string, reason: string): never {
  throw ApplicationFailure.create({
    type: invalidArgumentFailureType,
    message: `${field}: ${reason}`,
    nonRetryable: true,
    details: [{ field, reason }],
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejects a `clientSecretExpiresAt` that is not an instant in epoch milliseconds (null too, where `nullable`). */
function checkClientSecretExpiry(value: unknown, nullable = false): void {
  if (value === undefined || (nullable && value === null)) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    reject('clientSecretExpiresAt', `must be an instant in epoch milliseconds${nullable ? ', or null to forget it' : ''}`);
  }
}

/** Rejects every update while the run drains for continue-as-new. */
export function refuseWhileDraining(state: CredentialState): void {
  if (state.draining) throw retryOnNewRunFailure();
}

/** Validates a `refresh` update or `forceRefresh` signal argument. */
export function validateRefreshRequest(req: RefreshRequest | undefined): void {
  if (req === undefined || req === null) return;
  if (!isPlainObject(req)) reject('request', 'must be an object');
  const { staleVersion, reason } = req;
  if (staleVersion !== undefined && (typeof staleVersion !== 'number' || !Number.isInteger(staleVersion) || staleVersion < 0)) {
    reject('staleVersion', 'must be a non-negative integer');
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200)) {
    reject('reason', 'must be a string of at most 200 characters');
  }
}

/** Validates a `reauthorize` update: a grant the credential's provider can use. */
export function validateReauthorizeRequest(state: CredentialState, req: ReauthorizeRequest): void {
  if (!isPlainObject(req)) reject('request', 'must be an object');
  if (req.config !== undefined && !isPlainObject(req.config)) reject('config', 'must be an object');
  if (req.grant !== undefined && !isPlainObject(req.grant)) reject('grant', 'must be an object');
  const refreshToken = req.grant?.refreshToken;
  if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken.length === 0 || refreshToken.length > maxSecretLength)) {
    reject('grant.refreshToken', `must be a non-empty string of at most ${maxSecretLength} characters`);
  }
  if (req.keepToken !== undefined && typeof req.keepToken !== 'boolean') reject('keepToken', 'must be true or false');
  if (req.keepToken === true && (req.config !== undefined || refreshToken === undefined)) reject('keepToken', 'needs grant.refreshToken and no config');
  if (state.provider === 'oauth2' && refreshToken === undefined) {
    reject('grant.refreshToken', 'is required by the oauth2 provider');
  }
  checkClientSecretExpiry(req.clientSecretExpiresAt);
}

/** Validates a `register` update: a request of the credential's own provider, with its fingerprints. */
export function validateRegisterRequest(state: CredentialState, req: RegisterRequest): void {
  // A revoked run is ending (it may still be leaving its tombstone): the registration goes to the next run.
  if (state.status === 'revoked') throw retryOnNewRunFailure();
  if (!isPlainObject(req)) reject('request', 'must be an object');
  if (req.mode !== 'create' && req.mode !== 'replace') reject('mode', 'must be create or replace');
  if (typeof req.fingerprint !== 'string' || typeof req.grantFingerprint !== 'string') reject('fingerprint', 'must be a string');
  if (req.provider !== state.provider) {
    throw ApplicationFailure.create({
      type: providerMismatchFailureType,
      message: `the credential uses provider ${state.provider}, not ${String(req.provider)}; revoke it before registering it again`,
      nonRetryable: true,
      details: [{ current: state.provider, requested: req.provider }],
    });
  }
  if (!isPlainObject(req.config)) reject('config', 'must be an object');
  if (!isPlainObject(req.grant)) reject('grant', 'must be an object');
  if (req.parent !== undefined && (typeof req.parent !== 'string' || req.parent === state.id)) reject('parent', 'must be the id of another credential');
  checkClientSecretExpiry(req.clientSecretExpiresAt);
  const problem = policyProblem(req.policy);
  if (problem) reject(problem.field, problem.reason);
}

/** Validates a `reconfigure` update. */
export function validateReconfigureRequest(req: ReconfigureRequest): void {
  if (!isPlainObject(req)) reject('request', 'must be an object');
  const problem = policyProblem(req.policy);
  if (problem) reject(problem.field, problem.reason);
  if (req.config !== undefined && !isPlainObject(req.config)) reject('config', 'must be an object');
  if (req.settings !== undefined && !isPlainObject(req.settings)) reject('settings', 'must be an object');
  checkClientSecretExpiry(req.clientSecretExpiresAt, true);
}
