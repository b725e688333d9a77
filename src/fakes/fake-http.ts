/**
 * Plumbing shared by the fake provider servers: a real node:http server on 127.0.0.1
 * that can be closed with requests still hanging, a FIFO of injected behaviours, random tokens,
 * and small request/response helpers.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running loopback HTTP server. */
export interface LoopbackServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void>;
}

/** Handles one request; a handler that never answers leaves the request hanging until close. */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/** Starts a loopback server on `port` (0: any free port); handler exceptions are answered with HTTP 500. */
export async function startLoopbackServer(handler: FakeHandler, port = 0): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, res, body))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'fake_server_bug', message: String(err) });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${bound}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Reads a request body (fakes accept at most 1 MiB). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_048_576) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Answers with a raw body. */
export function sendRaw(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(body);
}

/** An unguessable random token (192 bits, base64url) with a readable prefix. */
export function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** A FIFO of injected behaviours: each entry applies to the next `count` requests, in order. */
export class Injections<T> {
  private readonly queue: { remaining: number; item: T }[] = [];

  /** Applies `item` to the next `count` requests (after those already queued). */
  push(count: number, item: T): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    this.queue.push({ remaining: count, item });
  }

  /** The behaviour for this request, if one is queued. */
  take(): T | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.queue.shift();
    return head.item;
  }

  /** Drops every queued behaviour: the next requests are answered normally. */
  clear(): void {
    this.queue.length = 0;
  }

  /** How many requests still have a behaviour queued. */
  get pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }
}

/** A scripted raw answer: status, body, content type and an optional Retry-After. */
export interface RawAnswer {
  status: number;
  body: string;
  contentType: string;
  retryAfter?: string;
}

/** Sends a scripted raw answer. */
export function sendAnswer(res: ServerResponse, answer: RawAnswer): void {
  sendRaw(res, answer.status, answer.body, answer.contentType, answer.retryAfter !== undefined ? { 'retry-after': answer.retryAfter } : {});
}

/** The number of the day `now` falls in, counted in China time (UTC+8): daily quotas reset when it changes. */
export function chinaDay(now: number): number {
  return Math.floor((now + 8 * 3_600_000) / 86_400_000);
}
