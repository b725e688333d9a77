/**
 * Prometheus metrics of a credential worker (prom-client), in their own registry so several
 * workers in one process (tests) never collide: refreshes by provider and outcome, their latency,
 * upstream calls, failure codes, crash recoveries, Redis publications and webhook deliveries. The
 * credential counts by status come from visibility (`./credential-counts`), the Temporal SDK's own
 * metrics from its exporter (`./sdk-metrics`).
 *
 * Label sets are bounded: `provider` is one of the provider names, `outcome` a failure kind or
 * `new_token` / `same_token`, `code` a code of the provider's classification table (anything else
 * is `other`). No series carries a credential id.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { CredentialEventType } from '../activities/contracts';
import type { FailureKind } from '../credential';
import type { ProviderName } from '../providers/names';
import { getProvider } from '../providers/registry';

/** How one refresh attempt ended: a token (new or the same one again) or the kind of its failure. */
export type RefreshOutcome = 'new_token' | 'same_token' | FailureKind;

/** What `publishCredential` did, or `failed` when Redis refused. */
export type PublicationResult = 'written' | 'stale' | 'off' | 'failed';

/** How one webhook delivery attempt ended (reported by the webhook deliveries). */
export type WebhookDeliveryResult = 'delivered' | 'failed' | 'gave_up';

/** Options of `WorkerMetrics`. */
export interface WorkerMetricsOptions {
  /** Registry to register in. @default a new registry */
  registry?: Registry;
  /** Also collect Node.js process metrics (CPU, memory, event loop). @default false */
  defaultMetrics?: boolean;
  /** Failure codes a provider may report; others are counted as `other`. @default the codes of the provider's classification table */
  knownCodes?: (provider: ProviderName) => ReadonlySet<string>;
}

/** Buckets of the refresh latency: from a fast token endpoint to a retry that waited out a crashed attempt. */
const latencyBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];

const codesByProvider = new Map<ProviderName, ReadonlySet<string>>();

/** The fixed codes of a provider's classification table (templated ones such as `errcode_<n>` left out). */
export function classificationCodes(provider: ProviderName): ReadonlySet<string> {
  let codes = codesByProvider.get(provider);
  if (!codes) {
    codes = new Set(getProvider(provider).classification.map((row) => row.code).filter((code) => !code.includes('<')));
    codesByProvider.set(provider, codes);
  }
  return codes;
}

/** The worker's metrics and their registry. */
export class WorkerMetrics {
  /** Where the metrics are registered; the worker's `/metrics` renders it. */
  readonly registry: Registry;
  private readonly refreshes: Counter<'provider' | 'outcome'>;
  private readonly latency: Histogram<'provider' | 'outcome'>;
  private readonly failures: Counter<'provider' | 'code'>;
  private readonly calls: Counter<'provider'>;
  private readonly recoveries: Counter<'provider' | 'source'>;
  private readonly publications: Counter<'result'>;
  private readonly deliveries: Counter<'event' | 'result'>;
  private readonly knownCodes: (provider: ProviderName) => ReadonlySet<string>;

  constructor(options: WorkerMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.knownCodes = options.knownCodes ?? classificationCodes;
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.refreshes = new Counter({
      name: 'halflife_refreshes_total',
      help: 'Refresh attempts by provider and outcome (new_token, same_token, or the failure kind: transient, reauth, configuration, malformed)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'halflife_refresh_duration_seconds',
      help: 'Duration of refresh attempts (the activity: provider call, durable save of the answer) by provider and outcome',
      labelNames: ['provider', 'outcome'],
      buckets: latencyBuckets,
      registers,
    });
    this.failures = new Counter({
      name: 'halflife_refresh_failures_total',
      help: "Failed refresh attempts by provider and classified code (codes outside the provider's table count as other)",
      labelNames: ['provider', 'code'],
      registers,
    });
    this.calls = new Counter({
      name: 'halflife_upstream_calls_total',
      help: 'Requests sent to token endpoints, by provider (what counts against provider quotas; answers recovered after a crash are not sent again)',
      labelNames: ['provider'],
      registers,
    });
    this.recoveries = new Counter({
      name: 'halflife_refresh_recovered_total',
      help: 'Answers of crashed attempts recovered instead of calling the provider again, by provider and where they were found (heartbeat, write_ahead)',
      labelNames: ['provider', 'source'],
      registers,
    });
    this.publications = new Counter({
      name: 'halflife_publications_total',
      help: 'Publications to the Redis mirror by result (written, stale: Redis already held something newer, off: no Redis, failed)',
      labelNames: ['result'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'halflife_webhook_deliveries_total',
      help: 'Webhook delivery attempts by event type and result (delivered, failed: retried later, gave_up)',
      labelNames: ['event', 'result'],
      registers,
    });
  }

  /** Counts one request sent to `provider`'s token endpoint. */
  observeUpstreamCall(provider: ProviderName): void {
    this.calls.inc({ provider });
  }

  /** Records one refresh attempt: its outcome, duration, and for a failure its code. */
  observeRefresh(provider: ProviderName, outcome: RefreshOutcome, seconds: number, code?: string): void {
    this.refreshes.inc({ provider, outcome });
    this.latency.observe({ provider, outcome }, seconds);
    if (code !== undefined) this.failures.inc({ provider, code: this.boundedCode(provider, code) });
  }

  /** Counts an answer recovered from a crashed attempt. */
  observeRecovery(provider: ProviderName, source: 'heartbeat' | 'write_ahead'): void {
    this.recoveries.inc({ provider, source });
  }

  /** Counts one publication to Redis. */
  observePublication(result: PublicationResult): void {
    this.publications.inc({ result });
  }

  /** Counts one webhook delivery attempt (for the webhook deliveries to call). */
  observeWebhookDelivery(event: CredentialEventType, result: WebhookDeliveryResult): void {
    this.deliveries.inc({ event, result });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** `code` when the provider's table knows it (`http_<status>` rows included, `_after_crash` variants too), else `other`. */
  private boundedCode(provider: ProviderName, code: string): string {
    const base = code.endsWith('_after_crash') ? code.slice(0, -'_after_crash'.length) : code;
    return /^http_\d{3}$/.test(base) || this.knownCodes(provider).has(base) ? code : 'other';
  }
}
