/**
 * A TCP proxy in front of a token endpoint that fails the way networks and gateways fail, before
 * the provider sees anything (so no rotation is committed): `http503` answers every request 503
 * itself, `hang` accepts and never answers (the caller's timeout fires), `reset` answers a request
 * with a TCP RST (ECONNRESET), `pass` forwards. Changing the mode drops every open connection, so
 * kept-alive ones cannot bypass it. Requests are counted per client (from the Basic credentials)
 * and per mode.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** How the proxy treats requests. */
export type ProxyMode = 'pass' | 'http503' | 'hang' | 'reset';

/** One request the proxy saw. */
export interface ProxyRequest {
  at: number;
  mode: ProxyMode;
  /** The client id of its `Authorization: Basic` header, if any. */
  clientId?: string;
}

/** A running proxy. */
export interface FaultyProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly requests: ProxyRequest[];
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

function clientIdOf(head: string): string | undefined {
  const basic = /^authorization:\s*basic\s+([A-Za-z0-9+/=]+)/im.exec(head)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decodeURIComponent(decoded.slice(0, Math.max(0, decoded.indexOf(':'))).replace(/\+/g, ' '));
}

/** Starts a proxy to `upstreamPort` on 127.0.0.1, in `pass` mode. */
export async function startFaultyProxy(upstreamPort: number): Promise<FaultyProxy> {
  let mode: ProxyMode = 'pass';
  const requests: ProxyRequest[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((inbound) => {
    track(inbound);
    const connectionMode = mode;
    let upstream: net.Socket | undefined;
    if (connectionMode === 'pass') {
      upstream = net.connect(upstreamPort, '127.0.0.1');
      track(upstream);
      upstream.pipe(inbound);
      upstream.on('close', () => inbound.destroy());
    }
    inbound.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^(POST|GET|PUT|DELETE|HEAD|OPTIONS) /.test(text)) requests.push({ at: Date.now(), mode: connectionMode, clientId: clientIdOf(text) });
      switch (connectionMode) {
        case 'pass':
          upstream?.write(chunk);
          break;
        case 'http503': {
          const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: 'injected by the chaos proxy' });
          inbound.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
          break;
        }
        case 'reset':
          inbound.resetAndDestroy();
          break;
        case 'hang':
          break; // never answered: the caller's timeout ends it
      }
    });
    inbound.on('close', () => upstream?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    setMode(next) {
      mode = next;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
