/**
 * The CLI's exit codes, one per kind of outcome, so scripts can branch on them. Documented in the
 * README and by `halflife --help`. Which error gets which code is the shared table in `error-outcomes.ts`.
 */
import { CommanderError } from 'commander';
import { errorOutcomeOf, exitCodes } from '../error-outcomes';

export { exitCodes } from '../error-outcomes';

/** The exit code for an error thrown by a command: usage errors 2, else the shared table. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError || (err as { name?: unknown } | undefined)?.name === 'CommanderError') return exitCodes.invalidInput;
  return errorOutcomeOf(err).exitCode;
}

/** The exit codes as help text lines. */
export const exitCodeHelp = `Exit codes:
  ${exitCodes.ok}  done
  ${exitCodes.failure}  unexpected failure (also: a credential whose workflow task keeps failing)
  ${exitCodes.invalidInput}  invalid input or usage (the message names the field)
  ${exitCodes.notFound}  credential not found
  ${exitCodes.reauthRequired}  re-authorization required
  ${exitCodes.noToken}  no valid token in time (expired, refresh failed, token endpoint failing)
  ${exitCodes.conflict}  conflict (exists already, other provider)
  ${exitCodes.unavailable}  Temporal unreachable, or no worker running`;
