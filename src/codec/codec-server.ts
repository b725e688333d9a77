/**
 * The codec endpoint of the Temporal Web UI and CLI, as a Fastify plugin: `POST /decode` and
 * `POST /encode` under the prefix the caller registers it with (the API uses `/codec`).
 *
 * Protocol: the body is `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` and the answer
 * has the same shape. The UI sends `X-Namespace` (accepted; one key ring serves every namespace)
 * and, when configured to, `Authorization` and cookies, so CORS allows those headers and credentials
 * for the configured UI origins only.
 *
 * Redaction (on by default, `redact.ts`): a decoded payload is shown only when it can be
 * classified: `json/plain` and `json/protobuf` are parsed and their secret fields replaced by their
 * shape, and an empty `binary/null` stays. Anything else (raw bytes, a non-empty `binary/null`, JSON
 * that does not parse, a payload still encrypted after decoding, an unknown or missing encoding)
 * could hold a secret the walker cannot see, so it becomes a JSON placeholder giving only its
 * encoding (when it is a known one) and size. Only the `encoding` and `messageType` metadata are
 * kept. A payload that fails to decode (a key no longer in the ring, altered bytes) is returned
 * as it came, still encrypted, so one bad payload does not blank a whole history.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, InvalidConfigError } from '../errors';
import { redactDecodedPayload } from './redact';

/** Options of `codecRoutes`. */
export interface CodecRoutesOptions {
  /** The codec the workers and clients use. */
  codec: PayloadCodec;
  /** Replace secrets in decoded payloads by their shape. @default true */
  redact?: boolean;
  /**
   * Whether the request may use the endpoint (API key, loopback in development...): `true`, `false`
   * (not authenticated: 401) or `'forbidden'` (a valid key without the right: 403).
   */
  authorize(request: FastifyRequest): CodecAccess | Promise<CodecAccess>;
  /** Exact origins of the Web UI allowed to call from a browser (e.g. `http://localhost:8233`). @default [] */
  corsOrigins?: readonly string[];
  /** Largest accepted request body, in bytes. @default 4 MiB */
  bodyLimit?: number;
}

/** The answer of `CodecRoutesOptions.authorize`. */
export type CodecAccess = boolean | 'forbidden';

/** One payload as the codec protocol carries it (proto3 JSON: bytes as base64). */
export interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: { metadata: { type: 'object', additionalProperties: { type: 'string' } }, data: { type: 'string' } },
      },
    },
  },
} as const;

/** Registers the codec endpoint routes; mount it with a prefix: `app.register(codecRoutes, { prefix: '/codec', ... })`. */
export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, options) => {
  const { codec, authorize } = options;
  const redact = options.redact ?? true;
  const bodyLimit = options.bodyLimit ?? 4 * 1024 * 1024;

  app.addHook('onRequest', corsHook(options.corsOrigins ?? []));
  app.setErrorHandler(answerError(bodyLimit));

  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const access = await authorize(request);
    if (access === true) return undefined;
    if (access === 'forbidden') {
      return reply.code(403).send({ error: { code: errorCodes.forbidden, message: 'the codec endpoint needs a key with read over every credential' } });
    }
    return reply
      .code(401)
      .header('WWW-Authenticate', 'Bearer')
      .send({ error: { code: errorCodes.unauthorized, message: 'the codec endpoint needs a valid API key' } });
  };
  const route = { bodyLimit, schema: { body: payloadsSchema }, onRequest: guard };
  type Body = { Body: { payloads: WirePayload[] } };

  app.post<Body>('/decode', route, async (request) => {
    const decoded = await Promise.all(request.body.payloads.map(fromWire).map((p) => decodeOne(codec, p)));
    return { payloads: decoded.map(({ payload, decoded: ok }) => toWire(redact && ok ? redactDecodedPayload(payload) : payload)) };
  });

  app.post<Body>('/encode', route, async (request) => {
    const encoded = await codec.encode(request.body.payloads.map(fromWire));
    return { payloads: encoded.map(toWire) };
  });

  // Preflights carry no credentials; the CORS hook has already added the headers for allowed origins.
  const preflight = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => reply.code(204).send();
  app.options('/decode', preflight);
  app.options('/encode', preflight);
};

/** Adds CORS headers for requests from the configured origins only (compared exactly, as browsers send them). */
function corsHook(origins: readonly string[]) {
  const allowed = new Set(
    origins.map((origin) => {
      if (origin === '*') throw new InvalidConfigError('corsOrigins', 'list the UI origins; "*" cannot carry credentials');
      try {
        return new URL(origin).origin;
      } catch {
        throw new InvalidConfigError('corsOrigins', `'${origin}' is not an origin such as http://localhost:8233`);
      }
    }),
  );
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = request.headers.origin;
    void reply.header('Vary', 'Origin');
    if (origin === undefined || !allowed.has(origin)) return;
    void reply.headers({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
      'Access-Control-Max-Age': '600',
    });
  };
}

/** Decodes one payload; `decoded: false` (and the payload as it came) when the codec refuses it. */
async function decodeOne(codec: PayloadCodec, payload: Payload): Promise<{ payload: Payload; decoded: boolean }> {
  try {
    const [decoded] = await codec.decode([payload]);
    return decoded ? { payload: decoded, decoded: true } : { payload, decoded: false };
  } catch {
    return { payload, decoded: false };
  }
}

function fromWire(wire: WirePayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(wire.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(wire.data ?? '', 'base64') };
}

function toWire(payload: Payload): Required<WirePayload> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

/** Errors as `{ error: { code, message } }`, with messages that never echo the request body. */
function answerError(bodyLimit: number) {
  return async (err: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    let code: string = errorCodes.invalidRequest;
    let message = 'malformed request body';
    // Not the validator's own text: it names the client's metadata keys, which may be anything.
    if (err.validation) message = 'body must be { "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }';
    else if (status === 413) [code, message] = [errorCodes.payloadTooLarge, `request body is larger than ${bodyLimit} bytes`];
    else if (status === 415) [code, message] = [errorCodes.unsupportedMediaType, 'send Content-Type: application/json'];
    else if (status === 500) {
      [code, message] = [errorCodes.internal, 'internal error'];
      request.log.error({ errorName: err.name, errorCode: err.code }, 'codec endpoint failed');
    }
    return reply.code(status).send({ error: { code, message } });
  };
}
