/**
 * Failure injection shared by the WeChat and WeCom fakes: errcode bodies with HTTP 200, plain
 * HTTP failures, raw (malformed) answers and hanging requests, consumed in FIFO order.
 */
import type { ServerResponse } from 'node:http';
import { Injections, sendAnswer, sendJson, type RawAnswer } from './fake-http';

type Injection = { type: 'errcode'; errcode: number; errmsg: string } | { type: 'raw'; answer: RawAnswer } | { type: 'hang' };

/** The injectable behaviours of an errcode-style fake. */
export class ErrcodeInjections {
  private readonly queue = new Injections<Injection>();

  /** The next `count` token requests answer `{errcode, errmsg}` with HTTP 200. */
  failNext(count: number, errcode: number, errmsg = `fake errcode ${errcode}`): void {
    this.queue.push(count, { type: 'errcode', errcode, errmsg });
  }
  /** The next `count` token requests fail with a plain HTTP status. */
  failNextHttp(count: number, status: number, options: { body?: string; retryAfter?: string } = {}): void {
    this.queue.push(count, { type: 'raw', answer: { status, body: options.body ?? `fake failure ${status}`, contentType: 'text/plain', retryAfter: options.retryAfter } });
  }
  /** The next `count` token requests get exactly `rawBody` (malformed answers). */
  respondNextWith(count: number, rawBody: string, status = 200, contentType = 'application/json'): void {
    this.queue.push(count, { type: 'raw', answer: { status, body: rawBody, contentType } });
  }
  /** The next `count` token requests never get an answer (until the client aborts or the fake closes). */
  hangNext(count: number): void {
    this.queue.push(count, { type: 'hang' });
  }

  /** Drops the injected behaviours not yet consumed. */
  clearFailures(): void {
    this.queue.clear();
  }

  /** Applies the next injected behaviour to `res`; returns false when none was queued. */
  apply(res: ServerResponse): boolean {
    const injection = this.queue.take();
    if (!injection) return false;
    if (injection.type === 'errcode') sendJson(res, 200, { errcode: injection.errcode, errmsg: injection.errmsg });
    else if (injection.type === 'raw') sendAnswer(res, injection.answer);
    return true;
  }
}

/** A WeChat-style request id appended to errmsg (`rid: ...`). */
export function rid(): string {
  return `rid: ${Math.random().toString(16).slice(2, 10)}-${Math.random().toString(16).slice(2, 10)}`;
}

/** Remaining whole seconds of a token's life, as these APIs report it (at least 1). */
export function remainingSeconds(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}
