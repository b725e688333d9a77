/**
 * Failure injection of the OAuth 2.0 style fakes (the authorization server and the JWT token
 * endpoint): plain HTTP failures, OAuth error answers, raw (malformed) answers and hanging
 * requests, consumed in FIFO order by the next token requests.
 */
import { Injections, type RawAnswer } from './fake-http';

/** One injected behaviour. */
export type OAuthInjection = { type: 'raw'; answer: RawAnswer } | { type: 'hang' } | { type: 'reject'; error: string; status: number; description?: string };

/** The injection methods a fake token endpoint offers; the fake takes each request's behaviour from `injections`. */
export abstract class OAuthInjectable {
  /** The queued behaviours (`take()` once per token request). */
  protected readonly injections = new Injections<OAuthInjection>();

  /** The next `count` token requests fail with `status` (default body: a short text). */
  failNext(count: number, failure: { status: number; body?: string; retryAfter?: string; contentType?: string }): void {
    const body = failure.body ?? `fake failure ${failure.status}`;
    const contentType = failure.contentType ?? (body.trimStart().startsWith('{') ? 'application/json' : 'text/plain');
    this.injections.push(count, { type: 'raw', answer: { status: failure.status, body, contentType, retryAfter: failure.retryAfter } });
  }
  /** The next `count` token requests never get an answer (until the client aborts or the fake closes). */
  hangNext(count: number): void {
    this.injections.push(count, { type: 'hang' });
  }
  /** The next `count` token requests get the OAuth error `error` (400, or 401 for invalid_client). */
  rejectNextWith(count: number, error: string, options: { status?: number; description?: string } = {}): void {
    this.injections.push(count, { type: 'reject', error, status: options.status ?? (error === 'invalid_client' ? 401 : 400), description: options.description });
  }
  /** Drops the injected behaviours not yet consumed. */
  clearFailures(): void {
    this.injections.clear();
  }
  /** The next `count` token requests get exactly `rawBody` (malformed answers). */
  respondNextWith(count: number, rawBody: string, status = 200, contentType = 'application/json'): void {
    this.injections.push(count, { type: 'raw', answer: { status, body: rawBody, contentType } });
  }
}
