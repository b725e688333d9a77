/**
 * Capturing a provider's answer the moment it arrives, and giving it back to a later attempt.
 * The capturing fetch reads the whole (size-capped) body and hands it to `onAnswer` before any
 * parsing or validation; a recovered answer is served by a fetch that makes no request at all, so
 * the provider code that parses answers runs unchanged in both cases.
 */
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { readBodyCapped } from '../providers/http';

/** A provider's answer as saved: enough to rebuild the Response. */
export interface SavedAnswer {
  status: number;
  headers: [string, string][];
  /** The body, base64. */
  body: string;
  /** When the request was sent and the answer's last byte arrived (epoch ms). */
  sentAt: number;
  receivedAt: number;
}

/** The heartbeat details of the refresh activity: a request in flight, the answer it got, or a call to a parent credential (no request yet). */
export type AttemptProgress = { phase: 'sent'; sentAt: number } | { phase: 'answered'; answer: SavedAnswer } | { phase: 'parent' };

/** A fetch as providers use it. */
export type UpstreamFetch = (url: URL, init: RequestInit) => Promise<Response>;

/** A Response rebuilt from a saved answer. */
export function responseOf(answer: SavedAnswer): Response {
  const nullBody = [101, 204, 205, 304].includes(answer.status);
  return new Response(nullBody ? null : Buffer.from(answer.body, 'base64'), { status: answer.status, headers: answer.headers });
}

/** A fetch that answers with `answer` and never touches the network. */
export function replayingFetch(answer: SavedAnswer): UpstreamFetch {
  return async () => responseOf(answer);
}

/** Options of `capturingFetch`. */
export interface CaptureOptions {
  /** Sends the request (the egress-checked fetch). */
  send: UpstreamFetch;
  /** Called before the request is sent. */
  onSend(sentAt: number): Promise<void> | void;
  /** Called with the answer before anything reads it; the Response is returned only after it resolves. */
  onAnswer(answer: SavedAnswer): Promise<void>;
  now: () => number;
}

/** A fetch for exactly one request whose answer is captured by `onAnswer` first. */
export function capturingFetch(options: CaptureOptions): UpstreamFetch {
  let used = false;
  return async (url, init) => {
    if (used) throw new Error('a provider makes one upstream request per refresh');
    used = true;
    const sentAt = options.now();
    await options.onSend(sentAt);
    const response = await options.send(url, { ...init, redirect: 'manual' });
    const body = await readBodyCapped(response);
    const answer: SavedAnswer = {
      status: response.status,
      headers: [...response.headers.entries()],
      body: Buffer.from(body).toString('base64'),
      sentAt,
      receivedAt: options.now(),
    };
    await options.onAnswer(answer);
    return responseOf(answer);
  };
}

/** An answer encrypted with the worker's codecs, as one string (for the Redis write-ahead log). */
export async function sealAnswer(answer: SavedAnswer, codecs: readonly PayloadCodec[]): Promise<string> {
  let payloads: Payload[] = [defaultPayloadConverter.toPayload(answer)];
  for (const codec of codecs) payloads = await codec.encode(payloads);
  return Buffer.from(temporal.api.common.v1.Payload.encode(payloads[0] ?? {}).finish()).toString('base64');
}

/** The answer a sealed string holds (the codecs decrypt it), or undefined when it cannot be read. */
export async function unsealAnswer(sealed: string, codecs: readonly PayloadCodec[]): Promise<SavedAnswer | undefined> {
  try {
    let payloads: Payload[] = [temporal.api.common.v1.Payload.decode(Buffer.from(sealed, 'base64'))];
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    const first = payloads[0];
    return first ? defaultPayloadConverter.fromPayload<SavedAnswer>(first) : undefined;
  } catch {
    return undefined;
  }
}
