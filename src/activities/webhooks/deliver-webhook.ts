/**
 * The webhook delivery activity: one attempt. It looks the subscription up (so a removal, a 410
 * or a rotated secret applies to deliveries already queued), signs the body with every active
 * secret at the attempt's own timestamp, POSTs it through the egress fetch (policy checked after
 * DNS, redirects never followed) and classifies the answer (../../webhooks/retry-schedule.ts).
 * It heartbeats while the receiver takes its time, so a lost worker is noticed within seconds
 * and the attempt is repeated elsewhere: at least once, with the same `webhook-id`.
 *
 * Errors name the status or the transport failure, never the receiver's body or the secret.
 */
import { Context } from '@temporalio/activity';
import { isEgressDeniedError } from '../../egress';
import { parseRetryAfter } from '../../providers/http';
import type { WebhookDirectory } from '../../webhooks/directory';
import { activeSecrets } from '../../webhooks/matching';
import type { WebhookMetrics } from '../../webhooks/metrics';
import { webhookPayload } from '../../webhooks/payload';
import { verdictOf, type AttemptOutcome } from '../../webhooks/retry-schedule';
import { signWebhook } from '../../webhooks/signing';
import type { DeliverWebhookInput } from './contracts';
import { timeoutSignal } from '../timeout-signal';

/** Dependencies of `deliverWebhook`. */
export interface WebhookActivityDeps {
  directory: Pick<WebhookDirectory, 'find'>;
  /** The worker's egress fetch. */
  send: (url: string, init: RequestInit) => Promise<Response>;
  metrics?: WebhookMetrics;
}

/** `User-Agent` of deliveries. */
export const webhookUserAgent = 'Halflife-Webhooks/1';

/** The outcome of an answer with `status`. */
export function outcomeOfStatus(status: number, retryAfter: string | null, now: number): AttemptOutcome {
  if (status >= 200 && status <= 299) return { kind: 'delivered', httpStatus: status };
  if (status === 410) return { kind: 'gone', httpStatus: status, error: 'HTTP 410 Gone: the receiver asked for no more deliveries' };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { kind: 'retryable', httpStatus: status, error: `HTTP ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'client_error', httpStatus: status, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
}

/** The outcome of a request that got no answer. */
export function outcomeOfTransport(err: unknown, signal: AbortSignal): AttemptOutcome {
  if (isEgressDeniedError(err)) return { kind: 'client_error', error: `the egress policy refused the connection (${err.rule})` };
  if (signal.aborted) return { kind: 'retryable', error: 'no answer in time' };
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause.code) ? cause.code : undefined;
  return { kind: 'retryable', error: code ? `could not reach the receiver (${code})` : 'could not reach the receiver' };
}

async function post(deps: WebhookActivityDeps, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptOutcome> {
  const ctx = Context.current();
  const signal = timeoutSignal(timeoutMs, ctx.cancellationSignal);
  const beat = setInterval(() => ctx.heartbeat(), 1_000);
  try {
    ctx.heartbeat();
    const response = await deps.send(url, { method: 'POST', headers, body, signal });
    await response.body?.cancel().catch(() => undefined);
    return outcomeOfStatus(response.status, response.headers.get('retry-after'), Date.now());
  } catch (err) {
    return outcomeOfTransport(err, signal);
  } finally {
    clearInterval(beat);
  }
}

/** Creates the `deliverWebhook` activity. */
export function createDeliverWebhook(deps: WebhookActivityDeps) {
  return async function deliverWebhook(input: DeliverWebhookInput): Promise<AttemptOutcome> {
    const startedAt = Date.now();
    const target = await deps.directory.find(input.subscriptionId);
    let outcome: AttemptOutcome;
    if (!target) outcome = { kind: 'skipped', error: 'the subscription was removed' };
    else if (target.state === 'disabled' && !input.test) outcome = { kind: 'skipped', error: 'the subscription is disabled' };
    else {
      const body = JSON.stringify(webhookPayload(input.event));
      const secrets = activeSecrets(target.subscription, startedAt).map((s) => s.secret);
      const headers = { 'content-type': 'application/json', 'user-agent': webhookUserAgent, ...signWebhook(input.event.id, new Date(), body, secrets) };
      outcome = await post(deps, target.subscription.url, headers, body, input.policy.requestTimeoutMs);
      outcome.durationMs = Date.now() - startedAt;
      deps.metrics?.duration.observe(outcome.durationMs / 1000);
    }
    count(deps.metrics, input, outcome);
    return outcome;
  };
}

function count(metrics: WebhookMetrics | undefined, input: DeliverWebhookInput, outcome: AttemptOutcome): void {
  if (!metrics) return;
  metrics.attempts.inc({ outcome: outcome.kind });
  if (input.test) return;
  const p = input.progress;
  const progress = { attempts: p.attempts + 1, clientErrors: p.clientErrors + (outcome.kind === 'client_error' ? 1 : 0), firstAttemptAt: p.firstAttemptAt ?? Date.now() };
  const verdict = verdictOf(progress, outcome, input.policy, Date.now());
  if (verdict.kind === 'done') metrics.deliveries.inc({ result: verdict.status });
}
