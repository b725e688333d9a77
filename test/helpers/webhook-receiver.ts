/**
 * A webhook receiver on loopback for tests: a real HTTP server that records every request (raw
 * body and headers), answers what the test says (a status, or `hang` to hold the request open),
 * can be taken down and brought back on the same port, and deduplicates on `webhook-id` as a
 * receiver should.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from './wait';

/** One request as the receiver got it. */
export interface ReceivedRequest {
  id: string;
  timestamp: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** What to answer: a status code, or `hang` (never answer). */
export type ReceiverAnswer = number | 'hang';

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string;
  /** Every request, in arrival order (repeats included). */
  readonly requests: ReceivedRequest[];
  /** Sets the answer (per request). */
  answer(fn: (request: ReceivedRequest) => ReceiverAnswer): void;
  /** The first request of each `webhook-id`, in arrival order: what a deduplicating receiver processes. */
  unique(): ReceivedRequest[];
  /** The parsed body of each unique request. */
  events(): { id: string; type: string; timestamp: string; data: Record<string, unknown> }[];
  /** Waits until `predicate` holds over the requests. */
  waitFor<T>(what: string, predicate: (requests: ReceivedRequest[]) => T, timeoutMs?: number): Promise<NonNullable<T>>;
  /** Stops listening and drops every open connection (the receiver is down: connections are refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 answering 200 unless told otherwise. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let decide: (request: ReceivedRequest) => ReceiverAnswer = () => 200;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const header = (name: string) => String(req.headers[name] ?? '');
      const received: ReceivedRequest = { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      requests.push(received);
      const answer = decide(received);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 200 && answer < 300 ? 'ok' : 'no');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  const unique = () => {
    const seen = new Set<string>();
    return requests.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    answer: (fn) => (decide = fn),
    unique,
    events: () => unique().map((r) => ({ id: r.id, ...(JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> }) })),
    waitFor: (what, predicate, timeoutMs = 30_000) => waitFor(what, () => predicate(requests), { timeoutMs }),
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}
