/**
 * Prometheus metrics of webhook deliveries (prom-client), counted by the workers' delivery
 * activity. They are created unregistered; `registerWebhookMetrics(registry)` adds them to the
 * registry a process exposes (the worker's, or the API's when both run in one process).
 *
 * - `halflife_webhook_attempts_total{outcome}`: every attempt, by outcome (`delivered`, `gone`,
 *   `retryable`, `client_error`, `skipped`).
 * - `halflife_webhook_deliveries_total{result}`: deliveries that ended, by result (`delivered`,
 *   `failed`, `gone`, `skipped`); tests are not counted.
 * - `halflife_webhook_attempt_duration_seconds`: how long receivers took to answer.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** The webhook delivery metrics. */
export interface WebhookMetrics {
  attempts: Counter<'outcome'>;
  deliveries: Counter<'result'>;
  duration: Histogram<string>;
}

/** Creates the metrics, registered nowhere yet. */
export function createWebhookMetrics(): WebhookMetrics {
  return {
    attempts: new Counter({ name: 'halflife_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [] }),
    deliveries: new Counter({ name: 'halflife_webhook_deliveries_total', help: 'Webhook deliveries that ended, by result', labelNames: ['result'], registers: [] }),
    duration: new Histogram({
      name: 'halflife_webhook_attempt_duration_seconds',
      help: 'Time webhook receivers took to answer an attempt',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [],
    }),
  };
}

/** The metrics the workers of this process count (one set per process). */
export const webhookMetrics: WebhookMetrics = createWebhookMetrics();

/** Adds `metrics` (default: this process's) to `registry`. */
export function registerWebhookMetrics(registry: Registry, metrics: WebhookMetrics = webhookMetrics): void {
  registry.registerMetric(metrics.attempts);
  registry.registerMetric(metrics.deliveries);
  registry.registerMetric(metrics.duration);
}
