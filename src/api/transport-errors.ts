/**
 * Answers to requests that never reach a route, in the API's error shape
 * (`{ "error": { "code", "message" } }`) instead of Node's bare status lines or Fastify's
 * `{"error":"Bad Request","message":"Client Error","statusCode":400}`:
 *
 * - what Node's HTTP parser refuses (`clientError`): a malformed request line, an unknown or
 *   lower-case method, control bytes in the path, NUL or obsolete line folding in headers,
 *   request line and headers over the size limit (431; 414 when the request line alone is too
 *   long), conflicting `Content-Length`/`Transfer-Encoding` (smuggling attempts), a malformed
 *   chunked body, an HTTP/2 preface, a timeout (408). These are written on the raw socket, which
 *   is then closed: the parser cannot continue after an error.
 * - `CONNECT` (Node hands it to a `connect` listener, or drops the connection): 405.
 * - `Expect` other than `100-continue` (Node answers a bare 417): 417.
 * - HTTP/1.1 without `Host` (Node answers a bare 400 unless `requireHostHeader: false`): 400
 *   naming `host`, from an `onRequest` hook.
 *
 * Messages are fixed texts and the parser's error code; nothing the client sent is echoed.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, InvalidRequestError } from '../errors';

/** A status, code and message of an answer written without Fastify. */
interface RawAnswer {
  status: number;
  code: string;
  message: string;
}

/** The error body of a raw answer. */
function bodyOf(answer: RawAnswer): string {
  return JSON.stringify({ error: { code: answer.code, message: answer.message } });
}

/** A whole HTTP/1.1 response (status line, headers, JSON body) that closes the connection. */
export function rawErrorResponse(answer: RawAnswer, extraHeaders: Record<string, string> = {}): string {
  const body = bodyOf(answer);
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extraHeaders,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`, ...lines, '', body].join('\r\n');
}

const malformed = (message: string, code: string): RawAnswer => ({ status: 400, code: errorCodes.invalidRequest, message: `${message} (${code})` });

/** Longest request line (method, target, version) treated as "headers too large" rather than "URI too long". */
const longestRequestLine = 8 * 1024;

/** The first line of what the parser had received, when there is one. */
function requestLine(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  const text = rawPacket.toString('latin1');
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** A request line whose method is a syntactically valid token Node does not know (`get`, `FOO`). */
const unknownMethodLine = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} \S+ HTTP\/1\.[01]\r?$/;

/** What to answer to a parser error, by its code. */
export function clientErrorAnswer(err: { code?: string; rawPacket?: unknown }): RawAnswer {
  const code = typeof err.code === 'string' && /^[A-Z0-9_]{1,48}$/.test(err.code) ? err.code : 'HPE_UNKNOWN';
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: errorCodes.requestTimeout, message: 'the request was not received in time' };
    case 'HPE_HEADER_OVERFLOW': {
      const line = requestLine(err.rawPacket);
      if (line !== undefined && line.length > longestRequestLine) return { status: 414, code: errorCodes.uriTooLong, message: 'the request target is too long' };
      return { status: 431, code: errorCodes.headersTooLarge, message: 'the request line and headers are larger than 16 KiB' };
    }
    case 'HPE_INVALID_METHOD': {
      const line = requestLine(err.rawPacket);
      if (line !== undefined && unknownMethodLine.test(line)) return { status: 405, code: errorCodes.methodNotAllowed, message: 'the method is not supported (methods are upper case: GET, PUT, POST, DELETE)' };
      return malformed('the request line is malformed', code);
    }
    case 'HPE_INVALID_URL':
      return malformed('the request target is malformed (control characters, spaces or non-ASCII bytes?)', code);
    case 'HPE_INVALID_VERSION':
    case 'HPE_PAUSED_H2_UPGRADE':
      return malformed('only HTTP/1.1 (and 1.0) is served on this port', code);
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
      return malformed('a header is malformed (NUL or control characters, obsolete line folding, a space before the colon, bare LF?)', code);
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return malformed('Content-Length and Transfer-Encoding are malformed or conflict', code);
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
      return malformed('the chunked body is malformed', code);
    default:
      return malformed('the request is malformed', code);
  }
}

/** A socket as Node's `clientError` passes it, with the response in progress (if any). */
type ClientSocket = Duplex & { _httpMessage?: { headersSent?: boolean } };

/**
 * Fastify's `clientErrorHandler`: answers a parser error in the error shape and closes the
 * socket (nothing is written if it is gone, or if a response on it has already begun).
 */
export function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex): void {
  const client = socket as ClientSocket;
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable || client._httpMessage?.headersSent === true) {
    socket.destroy();
    return;
  }
  socket.write(rawErrorResponse(clientErrorAnswer(err)), () => socket.destroy());
}

/** Listens for what Node answers by itself (`CONNECT`, an unmet `Expect`) and answers it in the error shape. */
export function answerUnroutableRequests(server: Server): void {
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    const answer = { status: 405, code: errorCodes.methodNotAllowed, message: 'CONNECT is not supported: this is not a proxy' };
    socket.on('error', () => socket.destroy());
    socket.write(rawErrorResponse(answer), () => socket.destroy());
  });
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = bodyOf({ status: 417, code: errorCodes.expectationFailed, message: 'only "Expect: 100-continue" is supported' });
    const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', Connection: 'close' };
    response.writeHead(417, headers).end(body);
  });
}

/**
 * An `onRequest` hook refusing HTTP/1.1 without `Host` (RFC 9112 §3.2), which Node was told not to
 * answer itself. It answers directly, so plugins with their own error handler (the codec) give the same answer.
 */
export async function requireHostHeader(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return undefined;
  const error = new InvalidRequestError('host', 'an HTTP/1.1 request needs a Host header');
  return reply.code(400).header('Connection', 'close').send({ error: { code: error.code, message: error.message, field: error.field } });
}
