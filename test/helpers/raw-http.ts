/**
 * HTTP/1.1 over a raw TCP socket, for tests that send what no HTTP client would (lower-case or
 * unknown methods, NUL and folded headers, conflicting lengths, control bytes in the path) and
 * read exactly what the server answered, byte for byte.
 */
import net from 'node:net';

/** What came back on the socket. */
export interface RawResponse {
  /** The status code, or 0 when no status line came back before the socket closed. */
  status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body (chunked bodies decoded), as UTF-8 text. */
  body: string;
  /** Everything the server sent, as latin1 text. */
  raw: string;
}

/** Options of `buildRequest`. */
export interface RequestParts {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** @default 'halflife.test' (`null`: no Host header) */
  host?: string | null;
}

/** A request as bytes: the request line, `Host`, `Connection: close`, the headers, `Content-Length` when a body is given and none is set. */
export function buildRequest(method: string, target: string, parts: RequestParts = {}): Buffer {
  const headers: Record<string, string> = { ...(parts.host === null ? {} : { Host: parts.host ?? 'halflife.test' }), Connection: 'close', ...parts.headers };
  const body = parts.body === undefined ? Buffer.alloc(0) : Buffer.from(parts.body);
  const named = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  if (parts.body !== undefined && !named.has('content-length') && !named.has('transfer-encoding')) headers['Content-Length'] = String(body.length);
  const head = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Decodes a chunked body (tolerating a truncated one). */
function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses what a server sent on a connection (one response). */
export function parseResponse(data: Buffer): RawResponse {
  const raw = data.toString('latin1');
  const split = data.indexOf('\r\n\r\n');
  const head = (split < 0 ? data : data.subarray(0, split)).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1];
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = split < 0 ? Buffer.alloc(0) : data.subarray(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: status === undefined ? 0 : Number(status), headers, body: body.toString('utf8'), raw };
}

/** Sends `request` on a new connection to `port` on 127.0.0.1 and resolves with the answer once the server closes (or after `timeoutMs`). */
export function rawRequest(port: number, request: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    };
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(request);
  });
}
