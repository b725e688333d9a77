/**
 * The CLI's exit codes, one per kind of outcome, so scripts can branch on them. Documented in the
 * README and by `halflife --help`.
 */
import { isTemporalUnavailable } from '../api/errors';

/** Exit codes of the `halflife` command. */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** Something unexpected failed (a bug, or an error without a better code). */
  failure: 1,
  /** Bad usage or invalid input: the message names the field and the reason. */
  invalidInput: 2,
  /** No credential with that id. */
  notFound: 3,
  /** The credential needs a new grant (`halflife reauthorize`). */
  reauthRequired: 4,
  /** No valid token could be had in time (expired, refresh failed). */
  noToken: 5,
  /** Conflict: the credential exists already, or belongs to another provider. */
  conflict: 6,
  /** Temporal (or the API) could not be reached. */
  unavailable: 7,
} as const;

const byErrorName: Record<string, number> = {
  InvalidConfigError: exitCodes.invalidInput,
  InvalidRequestError: exitCodes.invalidInput,
  CommanderError: exitCodes.invalidInput,
  CredentialNotFoundError: exitCodes.notFound,
  ReauthRequiredError: exitCodes.reauthRequired,
  TokenExpiredError: exitCodes.noToken,
  RefreshFailedError: exitCodes.noToken,
  CredentialExistsError: exitCodes.conflict,
  ProviderMismatchError: exitCodes.conflict,
  TemporalUnreachableError: exitCodes.unavailable,
  DecryptionError: exitCodes.failure,
};

/** The exit code for an error thrown by a command. */
export function exitCodeOf(err: unknown): number {
  if (isTemporalUnavailable(err)) return exitCodes.unavailable;
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return (typeof name === 'string' ? byErrorName[name] : undefined) ?? exitCodes.failure;
}

/** The exit codes as help text lines. */
export const exitCodeHelp = `Exit codes:
  0  done
  1  unexpected failure
  2  invalid input or usage (the message names the field)
  3  credential not found
  4  re-authorization required
  5  no valid token in time (expired, refresh failed)
  6  conflict (exists already, other provider)
  7  Temporal unreachable`;
