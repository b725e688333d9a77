/**
 * Prometheus metrics of the HTTP API (prom-client), in their own registry so several servers
 * (tests) never collide: requests by route and status, their duration, and the expiry headroom
 * of the tokens the API hands out — how long each served token still had to live.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Options of `ApiMetrics`. */
export interface ApiMetricsOptions {
  /** Registry to register in. @default a new registry */
  registry?: Registry;
  /** Also collect Node.js process metrics (CPU, memory, event loop). @default false */
  defaultMetrics?: boolean;
}

type RequestLabels = 'method' | 'route' | 'status';

/** The API's metrics and their registry. */
export class ApiMetrics {
  /** Where the metrics are registered; `GET /metrics` renders it. */
  readonly registry: Registry;
  private readonly requests: Counter<RequestLabels>;
  private readonly duration: Histogram<RequestLabels>;
  private readonly headroom: Gauge<'credential'>;
  private readonly headroomServed: Histogram<string>;

  constructor(options: ApiMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'halflife_http_requests_total',
      help: 'HTTP API requests by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'halflife_http_request_duration_seconds',
      help: 'HTTP API request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.headroom = new Gauge({
      name: 'halflife_token_headroom_seconds',
      help: 'Seconds the last token served for a credential had left before it expired',
      labelNames: ['credential'],
      registers,
    });
    this.headroomServed = new Histogram({
      name: 'halflife_token_headroom_served_seconds',
      help: 'Distribution of the remaining lifetime of every token served',
      buckets: [0, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
  }

  /** Counts one answered request; `route` is the route template (`unmatched` for 404s), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** Records the headroom of a token handed out for `credentialId` (negative if it was already expired). */
  observeTokenServed(credentialId: string, expiresAt: number, now = Date.now()): void {
    const seconds = (expiresAt - now) / 1000;
    this.headroom.set({ credential: credentialId }, seconds);
    this.headroomServed.observe(Math.max(0, seconds));
  }

  /** Drops the per-credential series of a revoked credential. */
  forgetCredential(credentialId: string): void {
    this.headroom.remove({ credential: credentialId });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
