/**
 * Loopback networking for the local services the dev commands start (Temporal dev server, and
 * Redis in tests): port probes, waiting for a port, free ports, address formatting.
 */
import net from 'node:net';

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Options of {@link waitForPort}. */
export interface WaitForPortOptions {
  /** Poll interval. @default 100 */
  intervalMs?: number;
  /** Stop waiting early when this rejects (e.g. the child that should listen has exited). */
  abort?: Promise<never>;
}

/** Polls until host:port accepts connections; rejects after `deadlineMs` milliseconds. */
export async function waitForPort(host: string, port: number, deadlineMs: number, options: WaitForPortOptions = {}): Promise<void> {
  const { intervalMs = 100, abort } = options;
  const deadline = Date.now() + deadlineMs;
  const poll = async (): Promise<void> => {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing listens on ${host}:${port} after ${deadlineMs} ms`);
      if (await isPortOpen(host, port, Math.min(1000, Math.max(left, 50)))) return;
      await delay(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
    }
  };
  await (abort ? Promise.race([poll(), abort]) : poll());
}

/** A TCP port that was free a moment ago (listen on port 0, note the port, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The host to connect to for a server bound to `host` (wildcard binds are reached on loopback). */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

/** Resolves after `ms` milliseconds (poll intervals only). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
