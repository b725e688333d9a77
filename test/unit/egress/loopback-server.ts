/** A real HTTP server on a loopback address that records every connection and request it receives. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server and what reached it. */
export interface LoopbackServer {
  /** `http://<host>:<port>` */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** `METHOD path body` of each request so far. */
  readonly requests: string[];
  /** Forgets what was recorded. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a server on `host` (default 127.0.0.1) and `port` (default any free one). `/redirect?to=<url>&status=<n>` answers a
 * redirect, `/close` answers with `Connection: close`, anything else answers 200 `ok <path>`.
 */
export async function startLoopbackServer(host = '127.0.0.1', port = 0): Promise<LoopbackServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${body}`.trim());
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/redirect') {
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' });
        return res.end();
      }
      if (url.pathname === '/close') res.setHeader('connection', 'close');
      res.end(`ok ${url.pathname}`);
    });
  });
  const state = { connections: 0 };
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    origin: `http://${shown}:${bound}`,
    host,
    port: bound,
    get connections() {
      return state.connections;
    },
    set connections(n: number) {
      state.connections = n;
    },
    requests,
    reset() {
      state.connections = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
