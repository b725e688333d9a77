/**
 * The worker's metrics endpoint: `GET /metrics` on its own port (`HALFLIFE_WORKER_METRICS_PORT`),
 * the Prometheus text of the worker's registry followed by the Temporal SDK's. No key: like any
 * exporter it is meant for a private network (the default host is loopback); it shows counts and
 * durations by provider and status, never a credential id or a secret.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  registry: Registry;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** More exposition text appended to the registry's (the SDK's metrics). */
  extra?: () => Promise<string>;
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** `http://host:port`; the metrics are under `/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (and `GET /` pointing at it); other routes answer 404, other methods 405. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, extra } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    } else if (path === '/metrics') {
      void Promise.all([registry.metrics(), extra?.() ?? ''])
        .then(([own, more]) => res.writeHead(200, { 'content-type': registry.contentType }).end(own + more))
        .catch(() => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'));
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Halflife worker metrics: GET /metrics\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; the metrics are at /metrics\n');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
