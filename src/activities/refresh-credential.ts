/**
 * The refresh activity: one upstream call. The provider's answer is made durable (heartbeat) before
 * anything else, so a retried attempt after a crash reuses it instead of replaying a refresh token
 * the provider has already rotated away.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isHalflifeError, type ProviderError } from '../errors';
import { providerFailureType, type ProviderFailureDetails } from '../failure-types';
import type { Provider } from '../providers/provider';
import type { RefreshCredentialInput, RefreshCredentialResult } from './contracts';

/** Test seams of the refresh activity. */
export interface RefreshHooks {
  /** Runs right after the answer was heartbeated (tests use it to crash the worker there). */
  afterHeartbeat?: (input: RefreshCredentialInput) => Promise<void> | void;
}

/** Dependencies of the refresh activity. */
export interface RefreshDeps {
  provider: (name: RefreshCredentialInput['provider']) => Provider;
  hooks?: RefreshHooks;
}

function isResult(value: unknown): value is RefreshCredentialResult {
  const token = (value as Partial<RefreshCredentialResult> | undefined)?.token;
  return typeof token?.accessToken === 'string' && typeof token.expiresAt === 'number';
}

/** Replaces every occurrence of a secret in `text`. */
function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, s) => (s.length >= 4 ? out.split(s).join('[redacted]') : out), text);
}

/** The secret values of an input (to scrub from any message that leaves the activity). */
function secretsOf(input: RefreshCredentialInput, provider: Provider): string[] {
  const fromConfig = provider.secretFields.map((f) => input.config[f]).filter((v): v is string => typeof v === 'string');
  return [...fromConfig, input.grant.refreshToken, input.current?.accessToken].filter((v): v is string => !!v);
}

/** Classifies an error thrown by a provider as a non-retryable ApplicationFailure the workflow reads. */
export function toProviderFailure(err: unknown, secrets: readonly string[]): ApplicationFailure {
  const details: ProviderFailureDetails = isHalflifeError<ProviderError>(err, 'ProviderError')
    ? {
        kind: err.kind,
        code: err.code,
        message: scrub(err.message, secrets),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      }
    : {
        kind: 'transient',
        code: 'internal_error',
        message: scrub(`unexpected ${err instanceof Error ? `${err.name}: ${err.message}` : 'error'}`, secrets),
      };
  return ApplicationFailure.create({
    type: providerFailureType,
    message: `${details.code}: ${details.message}`,
    nonRetryable: true,
    details: [details],
  });
}

/** Creates the `refreshCredential` activity. */
export function createRefreshCredential(deps: RefreshDeps) {
  return async function refreshCredential(input: RefreshCredentialInput): Promise<RefreshCredentialResult> {
    const ctx = Context.current();
    const saved: unknown = ctx.info.heartbeatDetails;
    if (ctx.info.attempt > 1 && isResult(saved)) {
      ctx.log.info('reusing the answer heartbeated by a previous attempt', { credentialId: input.credentialId });
      return saved;
    }
    const provider = deps.provider(input.provider);
    const signal = AbortSignal.any([ctx.cancellationSignal, AbortSignal.timeout(input.timeoutMs)]);
    let result: RefreshCredentialResult;
    try {
      const answer = await provider.refresh(input.config, input.grant, {
        signal,
        now: Date.now,
        defaultLifetimeMs: input.defaultLifetimeMs,
        current: input.current,
        forced: input.forced,
      });
      result = { token: answer.token, ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}) };
    } catch (err) {
      throw toProviderFailure(err, secretsOf(input, provider));
    }
    ctx.heartbeat(result);
    await deps.hooks?.afterHeartbeat?.(input);
    return result;
  };
}
