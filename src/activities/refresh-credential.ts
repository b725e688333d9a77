/**
 * The refresh activity: one upstream call whose answer cannot be lost to a crash.
 *
 * The moment the answer's last byte arrives, before anything parses or validates it: (1) its
 * encrypted copy is written to the Redis write-ahead log (on the socket within microseconds), (2)
 * it is heartbeated to the server and the activity waits for the acknowledgement. Only then does
 * the provider read it. A retried attempt (the worker died, or stopped heartbeating) looks for the
 * saved answer first, heartbeat details then write-ahead log, and parses it instead of replaying a
 * refresh token the provider has already rotated away. While the request is in flight the
 * activity heartbeats every second, so the server notices a dead worker within seconds (see
 * docs/durability.md for the reasoning and the measured windows).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PayloadCodec } from '@temporalio/common';
import { isHalflifeError, ProviderError } from '../errors';
import { providerFailureType, type ProviderFailureDetails } from '../failure-types';
import { cappedFetch } from '../providers/http';
import type { ParentToken, Provider } from '../providers/provider';
import type { AnswerLog, AnswerSlot } from '../redis/answer-log';
import { scrubKnownSecrets } from '../secrets/scrub';
import { capturingFetch, replayingFetch, sealAnswer, unsealAnswer, type AttemptProgress, type SavedAnswer, type UpstreamFetch } from './answer-capture';
import type { PublishCredentialInput, RefreshCredentialInput, RefreshCredentialResult } from './contracts';
import type { DurableHeartbeat } from './durable-heartbeat';
import { isParentTokenRejected, parentTokenFor, renewedParentToken, type ParentClient } from './parent-token';
import { timeoutSignal } from './timeout-signal';

/** Test seams of the activities (tests crash or starve the worker at these instants). */
export interface RefreshHooks {
  /** Right before a publication to Redis (in the `publishCredential` or `publishAndNotify` local activity). */
  beforePublish?: (input: PublishCredentialInput) => Promise<void> | void;
  /** Right before the request is sent. */
  beforeRequest?: (input: RefreshCredentialInput) => Promise<void> | void;
  /** Right after the answer's bytes arrived and its write-ahead was put on the socket, before the durable heartbeat. */
  afterAnswer?: (input: RefreshCredentialInput) => Promise<void> | void;
  /** After the server acknowledged the answer's heartbeat. */
  afterSave?: (input: RefreshCredentialInput) => Promise<void> | void;
  /** The measured crash window of one answer: last byte → write-ahead on the socket, and → heartbeat acknowledged. */
  timings?: (t: { writeAheadUs?: number; durableMs: number }) => void;
}

/** Dependencies of the refresh activity. */
export interface RefreshDeps {
  provider: (name: RefreshCredentialInput['provider']) => Provider;
  /** Sends upstream requests (the egress-checked fetch). @default a size-capped global fetch */
  send?: UpstreamFetch;
  /** The awaitable heartbeat; without it the SDK's queued heartbeat is used (not a durability barrier). */
  heartbeat?: DurableHeartbeat;
  /** The Redis write-ahead log of answers, when Redis is configured. */
  answers?: AnswerLog;
  /** The worker's payload codecs (they encrypt the write-ahead log). */
  codecs?: readonly PayloadCodec[];
  hooks?: RefreshHooks;
  /** Counts the requests sent upstream (the worker's metrics); outcomes and durations are observed around the activity. */
  metrics?: { observeUpstreamCall(provider: RefreshCredentialInput['provider']): void };
  /** The worker's TokenClient (built on first use): derived credentials reach their parent through it. */
  tokenClient?: () => ParentClient;
}

/** The TokenClient a derived credential's attempt reaches its parent with. */
function parentClient(deps: RefreshDeps): ParentClient {
  if (!deps.tokenClient) throw new ProviderError('transient', 'parent_unavailable', 'this worker has no TokenClient to reach parent credentials with');
  return deps.tokenClient();
}

/** How often the activity heartbeats while a request is in flight. */
export const heartbeatIntervalMs = 1_000;

/**
 * How long a sent request is waited for, in upstream timeouts. Abandoning a request the provider
 * has received loses its answer, and with it a rotated refresh token at a strict provider (the
 * retry replays the old one: `invalid_grant`), so a slow answer is given a second timeout's time
 * before the attempt fails with `timeout`. Seen on a loaded machine: a 2 s answer to a 2 s timeout.
 */
export const answerWaitTimeouts = 2;

function secretsOf(input: RefreshCredentialInput, provider: Provider): string[] {
  const fromConfig = provider.secretFields.map((f) => input.config[f]).filter((v): v is string => typeof v === 'string');
  return [...fromConfig, input.grant.refreshToken, input.current?.accessToken].filter((v): v is string => !!v);
}

/** Classifies an error thrown by a provider as a non-retryable ApplicationFailure the workflow reads. */
export function toProviderFailure(err: unknown, secrets: readonly string[], afterCrash?: 'in_flight' | 'unknown'): ApplicationFailure {
  let details: ProviderFailureDetails = isHalflifeError<ProviderError>(err, 'ProviderError')
    ? {
        kind: err.kind,
        code: err.code,
        message: scrubKnownSecrets(err.message, secrets),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        ...(err.rotatedRefreshToken !== undefined ? { rotatedRefreshToken: err.rotatedRefreshToken } : {}),
      }
    : { kind: 'transient', code: 'internal_error', message: scrubKnownSecrets(`unexpected ${err instanceof Error ? `${err.name}: ${err.message}` : 'error'}`, secrets) };
  if (afterCrash && details.kind === 'reauth') {
    const how = afterCrash === 'in_flight' ? 'its request had reached the provider' : 'its request may have reached the provider';
    details = { ...details, code: `${details.code}_after_crash`, message: `refused on a retry after a worker crash: ${how}, whose rotated answer was lost (${details.message})` };
  }
  return ApplicationFailure.create({ type: providerFailureType, message: `${details.code}: ${details.message}`, nonRetryable: true, details: [details] });
}

/** Serialised heartbeats: a late "in flight" beat can never overwrite the saved answer. */
function heartbeats(deps: RefreshDeps, abort: AbortController) {
  const ctx = Context.current();
  let chain: Promise<unknown> = Promise.resolve();
  const beat = (details: AttemptProgress): Promise<void> => {
    const next = chain.then(async () => {
      if (!deps.heartbeat) return ctx.heartbeat(details);
      const { cancelRequested } = await deps.heartbeat.record(ctx.info.taskToken, details);
      if (cancelRequested) abort.abort(new Error('the refresh was cancelled'));
    });
    chain = next.catch(() => undefined); // a refused beat (attempt replaced) is not this attempt's failure
    return next;
  };
  let ticker: NodeJS.Timeout | undefined;
  return {
    beat,
    /** Heartbeats `details` every second until stopped. */
    tick(details: AttemptProgress) {
      clearInterval(ticker);
      ticker = setInterval(() => void beat(details).catch(() => undefined), heartbeatIntervalMs);
    },
    stop: () => clearInterval(ticker),
    /** Heartbeats every second while `work` (a call to the parent credential) runs. */
    async around<T>(work: () => Promise<T>): Promise<T> {
      clearInterval(ticker);
      ticker = setInterval(() => void beat({ phase: 'parent' }).catch(() => undefined), heartbeatIntervalMs);
      try {
        return await work();
      } finally {
        clearInterval(ticker);
      }
    },
  };
}

/** The saved answer of an earlier attempt of this activity, if any, and what is known of its request. */
async function recover(deps: RefreshDeps, slot: AnswerSlot): Promise<{ answer?: SavedAnswer; from?: 'heartbeat' | 'write_ahead'; sentAt?: number }> {
  const ctx = Context.current();
  const progress = ctx.info.heartbeatDetails as AttemptProgress | undefined;
  if (progress?.phase === 'answered') return { answer: progress.answer, from: 'heartbeat' };
  const sentAt = progress?.phase === 'sent' ? progress.sentAt : undefined;
  if (ctx.info.attempt <= 1 || !deps.answers) return { sentAt };
  const sealed = await deps.answers.read(slot);
  const answer = sealed ? await unsealAnswer(sealed, deps.codecs ?? []) : undefined;
  return answer ? { answer, from: 'write_ahead' } : { sentAt };
}

/** Creates the `refreshCredential` activity. */
export function createRefreshCredential(deps: RefreshDeps) {
  return async function refreshCredential(input: RefreshCredentialInput): Promise<RefreshCredentialResult> {
    const ctx = Context.current();
    const provider = deps.provider(input.provider);
    const slot: AnswerSlot = { credentialId: input.credentialId, runId: ctx.info.workflowExecution?.runId ?? '', activityId: ctx.info.activityId };
    const abort = new AbortController();
    const beats = heartbeats(deps, abort);
    try {
      let found = await recover(deps, slot);
      if (!found.answer && found.sentAt !== undefined && input.reuseGraceMs === undefined) {
        // An earlier attempt's request was in flight when it was replaced (a lagging worker may
        // still get its answer): wait until it has certainly ended, then look for its answer again.
        beats.tick({ phase: 'sent', sentAt: found.sentAt });
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, found.sentAt! + answerWaitTimeouts * input.timeoutMs + 1_000 - Date.now())));
        const later = await recover(deps, slot);
        found = later.answer ? later : found;
      }
      const capture = (): UpstreamFetch =>
        capturingFetch({
          send: deps.send ?? ((url, init) => cappedFetch(url.toString(), init)),
          now: Date.now,
          onSend: async (sentAt) => {
            deps.metrics?.observeUpstreamCall(input.provider);
            await deps.hooks?.beforeRequest?.(input);
            beats.tick({ phase: 'sent', sentAt });
          },
          onAnswer: async (answer) => {
            const arrived = performance.now();
            beats.stop();
            let written: number | undefined;
            if (deps.answers) {
              void deps.answers.write(slot, await sealAnswer(answer, deps.codecs ?? []));
              written = performance.now();
            }
            await deps.hooks?.afterAnswer?.(input);
            await beats.beat({ phase: 'answered', answer });
            deps.hooks?.timings?.({ ...(written !== undefined ? { writeAheadUs: (written - arrived) * 1000 } : {}), durableMs: performance.now() - arrived });
            await deps.hooks?.afterSave?.(input);
          },
        });
      // A recovered answer is read on the clock of its request: its token's lifetime counts from
      // when that request was sent, not from the recovery (found by the chaos suite: tokens dated
      // up to 38 s late after a kill, then served past the provider's expiry).
      const call = (fetch: UpstreamFetch, parent: ParentToken | undefined, now: () => number = Date.now) =>
        provider.refresh(input.config, input.grant, {
          fetch,
          signal: timeoutSignal(answerWaitTimeouts * input.timeoutMs, ctx.cancellationSignal, abort.signal),
          now,
          defaultLifetimeMs: input.defaultLifetimeMs,
          current: input.current,
          forced: input.forced,
          ...(input.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: input.refreshTokenExpiresAt } : {}),
          ...(parent ? { parent } : {}),
        });
      const parents: ParentToken[] = [];
      let answer;
      try {
        const parent = input.parent ? await beats.around(() => parentTokenFor(parentClient(deps), input.credentialId, input.parent!, provider.derivedFrom ?? [], input.timeoutMs)) : undefined;
        if (parent) parents.push(parent);
        try {
          const saved = found.answer;
          answer = await (saved ? call(replayingFetch(saved), parent, () => saved.sentAt) : call(capture(), parent));
        } catch (err) {
          // The derived endpoint refused the parent's token: the parent refreshes first, then one retry.
          const renewed = parent && isParentTokenRejected(err) ? await beats.around(() => renewedParentToken(parentClient(deps), parent, input.timeoutMs)) : undefined;
          if (!renewed) throw err;
          parents.push(renewed);
          answer = await call(capture(), renewed);
        }
      } catch (err) {
        const afterCrash = ctx.info.attempt > 1 && !found.answer ? (found.sentAt !== undefined ? 'in_flight' : 'unknown') : undefined;
        throw toProviderFailure(err, [...secretsOf(input, provider), ...parents.map((p) => p.accessToken)], afterCrash);
      }
      if (!found.answer && deps.answers) void deps.answers.forget(slot);
      return {
        token: answer.token,
        ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}),
        ...(answer.warning ? { warning: answer.warning } : {}),
        ...(answer.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: answer.refreshTokenExpiresAt } : {}),
        ...(found.from ? { recovered: found.from } : {}),
      };
    } finally {
      beats.stop();
    }
  };
}
