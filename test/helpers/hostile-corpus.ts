/**
 * The bad-input corpus of issue 20: requests an attacker with API keys would send, generated from
 * tables and from fast-check (deterministic seeds), as raw HTTP/1.1 bytes. Each case says what it
 * must be answered with where that is known (status, code, field, egress rule); every case is also
 * held to the invariants the test checks for all of them (the error shape, no 5xx, no secret).
 */
import { generateKeyPairSync } from 'node:crypto';
import { METHODS } from 'node:http';
import fc from 'fast-check';
import { z } from 'zod';
import { providerBodySchemas } from '../../src/api/schemas';
import { providerNames } from '../../src/providers/names';
import { acceptedUrls, refusedUrls, secretQueries } from './hostile-urls';
import { buildRequest } from './raw-http';

/** One request of the corpus and what is known of its answer. */
export interface CorpusCase {
  group: string;
  name: string;
  request: Buffer;
  /** The status (or one of the statuses) it must get. */
  status?: number | readonly number[];
  code?: string;
  /** `error.field` it must name. */
  field?: string;
  /** `error.rule` must be one of these. */
  rules?: readonly string[];
  /** Texts that must appear nowhere in the answer (made-up field names, secret query values). */
  mustNotEcho?: readonly string[];
}

/** What the corpus needs to know of the running API. */
export interface CorpusContext {
  /** An oauth2 credential that exists (registered against the fake token endpoint). */
  existingId: string;
  /** API keys: admin over `*`, admin over `billing-*` (the issue's attacker), read over `*`. */
  keys: { admin: string; scopedAdmin: string; read: string };
  /** Secret values the requests carry (they must never come back). */
  secrets: { clientSecret: string; refreshToken: string; appSecret: string };
}

const json = (body: unknown) => JSON.stringify(body);
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

/** A JSON request with a key. */
function jsonRequest(method: string, path: string, body: unknown, key: string, headers: Record<string, string> = {}): Buffer {
  return buildRequest(method, path, { headers: { ...auth(key), 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : json(body) });
}

/** The callback keys of a push-fed provider (a 43-character EncodingAESKey). */
const pushKeys = { callback_token: 'callback-token-1', encoding_aes_key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

/** A valid registration body of each provider (with the context's secrets). */
function validBody(provider: string, ctx: CorpusContext): Record<string, unknown> {
  const { clientSecret, refreshToken, appSecret } = ctx.secrets;
  switch (provider) {
    case 'oauth2':
      return { provider, token_endpoint: 'https://idp.example.com/token', client_id: 'client-1', client_secret: clientSecret, refresh_token: refreshToken };
    case 'oauth2_client_credentials':
      return { provider, token_endpoint: 'https://idp.example.com/token', client_id: 'client-1', client_secret: clientSecret };
    case 'wechat':
      return { provider, appid: 'wx0123456789abcdef', secret: appSecret };
    case 'wecom':
      return { provider, corpid: 'ww0123456789', corpsecret: appSecret };
    case 'jwt_bearer':
      return { provider, token_endpoint: 'https://idp.example.com/token', issuer: 'svc@example.com', private_key: signingKeyPem };
    case 'github_app':
      return { provider, app_id: '12345', installation_id: '67890', private_key: signingKeyPem };
    case 'wechat_jsapi_ticket':
    case 'wechat_card_ticket':
    case 'wecom_jsapi_ticket':
      return { provider, parent: 'parent-1' };
    case 'wechat_component':
      return { provider, component_appid: 'wx0123456789abcdef', component_appsecret: appSecret, ...pushKeys };
    case 'wecom_suite':
      return { provider, suite_id: 'ww0123456789abcdef', suite_secret: appSecret, ...pushKeys };
    case 'wechat_authorizer':
      return { provider, parent: 'parent-1', authorizer_appid: 'wxfedcba9876543210', refresh_token: refreshToken };
    case 'wecom_corp':
      return { provider, parent: 'parent-1', auth_corpid: 'wwfedcba9876543210', refresh_token: refreshToken };
    default:
      throw new Error(`the corpus has no valid body for provider ${provider}: add one`);
  }
}

/** A private key for the JWT-signing providers (a secret the corpus checks is never echoed). */
export const signingKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let counter = 0;
/** A fresh credential id under `billing-` (the scoped key's pattern). */
const freshId = () => `billing-hostile-${(counter += 1)}`;

/** Outbound URL fields by provider, with the fields a body needs around them. */
const urlFields: { provider: string; field: string; extra: Record<string, unknown>; drop?: string }[] = [
  { provider: 'oauth2', field: 'token_endpoint', extra: {} },
  { provider: 'oauth2', field: 'issuer', extra: {}, drop: 'token_endpoint' },
  { provider: 'oauth2_client_credentials', field: 'token_endpoint', extra: {} },
  { provider: 'wechat', field: 'base_url', extra: {} },
  { provider: 'wecom', field: 'base_url', extra: {} },
];

/** Every refused URL through `oauth2.token_endpoint`, a third of them (and every named and spelling row) through the other URL fields; accepted ones reach the workflow (409: another provider). */
function egressCases(ctx: CorpusContext): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const refused = refusedUrls();
  urlFields.forEach(({ provider, field, drop }, index) => {
    refused.forEach((row, i) => {
      if (index > 0 && row.note.includes('spelling') && i % 3 !== index % 3) return;
      const body: Record<string, unknown> = { ...validBody(provider, ctx), [field]: row.url, allow_insecure_http: true };
      if (drop) delete body[drop];
      cases.push({ group: 'egress', name: `${provider}.${field} ${row.note}: ${JSON.stringify(row.url).slice(0, 80)}`, request: jsonRequest('PUT', `/v1/credentials/${freshId()}`, body, ctx.keys.scopedAdmin), status: 422, code: 'invalid_config', field, rules: row.rules === 'ok' ? undefined : row.rules });
    });
  });
  for (const row of acceptedUrls) {
    const body = { ...validBody('oauth2_client_credentials', ctx), token_endpoint: row.url };
    cases.push({ group: 'egress', name: `accepted ${row.note}`, request: jsonRequest('PUT', `/v1/credentials/${ctx.existingId}`, body, ctx.keys.admin), status: 409, code: 'provider_mismatch' });
  }
  for (const query of secretQueries) {
    const body = { ...validBody('oauth2', ctx), token_endpoint: `https://idp.example.com/token${query}` };
    const value = query.slice(query.indexOf('=') + 1);
    cases.push({ group: 'egress', name: `secret in the token endpoint query ${query.slice(0, 12)}`, request: jsonRequest('PUT', `/v1/credentials/${freshId()}`, body, ctx.keys.scopedAdmin), status: 422, field: 'token_endpoint', mustNotEcho: [value] });
  }
  return cases;
}

/** A string longer than any string field allows (the longest, a token, takes 16384 characters). */
const tooLong = 'x'.repeat(17_000);

/** The JSON Schema kind of a body field (to pick values that cannot be valid for it). */
function kindOf(schema: z.ZodType): string {
  const doc = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { type?: string; enum?: unknown[]; const?: unknown; anyOf?: { type?: string }[] };
  if (doc.const !== undefined) return 'const';
  if (doc.enum) return 'enum';
  return doc.type ?? doc.anyOf?.find((d) => d.type)?.type ?? 'unknown';
}

/** Values that are invalid for a field of `kind`, whatever its bounds. */
function badValuesFor(kind: string): unknown[] {
  if (kind === 'object') return [null, [], [1], true, 0, 'text', tooLong];
  if (kind === 'array') return [null, {}, { $ne: 1 }, true, 0, 'text', tooLong];
  const shapes = [null, [], [1], {}, { $ne: 1 }];
  if (kind === 'boolean') return [...shapes, 0, 1, 'true', 'yes', ''];
  if (kind === 'number' || kind === 'integer') return [...shapes, true, '5', '0x10', '', -1e308, 1e308];
  if (kind === 'enum' || kind === 'const') return [...shapes, true, 1, 'bogus', 'OAUTH2', tooLong];
  return [...shapes, true, 0, 1.5, tooLong];
}

/** Types × fields × providers: every field of every provider's body with values of the wrong type or shape; and each field missing. */
function typeCases(ctx: CorpusContext): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const provider of providerNames) {
    const shape = providerBodySchemas[provider].shape as Record<string, z.ZodType>;
    const base = validBody(provider, ctx);
    for (const [field, schema] of Object.entries(shape)) {
      const kind = kindOf(schema);
      // Only values the field's own schema refuses (a numeric string is a valid installation id, say).
      for (const value of badValuesFor(kind).filter((v) => !schema.safeParse(v).success)) {
        const body = { ...base, [field]: value };
        const name = `${provider}.${field} (${kind}) = ${JSON.stringify(value)?.slice(0, 40)}`;
        cases.push({ group: 'types', name, request: jsonRequest('PUT', `/v1/credentials/${freshId()}`, body, ctx.keys.scopedAdmin), status: 422, code: 'invalid_config', field });
      }
      if (field in base && field !== 'provider') {
        const { [field]: _dropped, ...without } = base;
        cases.push({ group: 'types', name: `${provider} without ${field}`, request: jsonRequest('PUT', `/v1/credentials/${freshId()}`, without, ctx.keys.scopedAdmin), status: 422, field });
      }
    }
  }
  for (const value of [...badValuesFor('integer'), -1, 2 ** 53]) {
    cases.push({ group: 'types', name: `refresh stale_version = ${JSON.stringify(value)?.slice(0, 40)}`, request: jsonRequest('POST', `/v1/credentials/${ctx.existingId}/refresh`, { stale_version: value }, ctx.keys.admin), status: 422, field: 'stale_version' });
  }
  for (const value of badValuesFor('string')) {
    cases.push({ group: 'types', name: `reauthorize refresh_token = ${JSON.stringify(value)?.slice(0, 40)}`, request: jsonRequest('POST', `/v1/credentials/${ctx.existingId}/reauthorize`, { refresh_token: value }, ctx.keys.admin), status: 422, field: 'refresh_token' });
  }
  return cases;
}

/** Made-up field names: secret-looking, random, Unicode, path-like, prototype keys (fast-check, fixed seed). */
function madeUpNames(): string[] {
  const secretLike = fc.oneof(
    fc.stringMatching(/^sk_live_[A-Za-z0-9]{24}$/),
    fc.stringMatching(/^[0-9a-f]{40}$/),
    fc.stringMatching(/^eyJ[A-Za-z0-9_-]{10,30}\.[A-Za-z0-9_-]{10,30}\.[A-Za-z0-9_-]{10,30}$/),
    fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/),
  );
  const random = fc.string({ minLength: 1, maxLength: 60, unit: 'binary' });
  const fixed = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b', 'client_secret.sk_live_0123456789abcdef', '../../etc', 'tokenEndpoint2', 'x'.repeat(300), '\u0000', '\u202eterces'];
  return [...fixed, ...fc.sample(secretLike, { numRuns: 60, seed: 20 }), ...fc.sample(random, { numRuns: 60, seed: 21 })];
}

/** Percent-encodes `text` as UTF-8 (lone surrogates as U+FFFD, which `encodeURIComponent` would throw on). */
function encodeText(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

/** Unknown fields in every body and query: the answer names them only by a short safe prefix. */
function unknownFieldCases(ctx: CorpusContext): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const name of madeUpNames()) {
    const mustNotEcho = name.length > 9 ? [name] : [];
    const label = JSON.stringify(name).slice(0, 30);
    const body = { ...validBody('oauth2', ctx), [name]: 1 };
    cases.push({ group: 'unknown-field', name: `PUT body ${label}`, request: jsonRequest('PUT', `/v1/credentials/${freshId()}`, body, ctx.keys.scopedAdmin), status: [400, 422], mustNotEcho });
    cases.push({ group: 'unknown-field', name: `refresh body ${label}`, request: jsonRequest('POST', `/v1/credentials/${ctx.existingId}/refresh`, { [name]: 1 }, ctx.keys.admin), status: [400, 422], mustNotEcho });
    const query = `${encodeText(name)}=1`;
    cases.push({ group: 'unknown-field', name: `token query ${label}`, request: buildRequest('GET', `/v1/credentials/${ctx.existingId}/token?${query}`, { headers: auth(ctx.keys.read) }), status: 400, mustNotEcho });
    cases.push({ group: 'unknown-field', name: `list query ${label}`, request: buildRequest('GET', `/v1/credentials?${query}`, { headers: auth(ctx.keys.read) }), status: 400, mustNotEcho });
  }
  return cases;
}

/** Numbers in query strings: decimal digits only, bounded (`min_ttl_s`), enums (`status`, `provider`). */
function queryCases(ctx: CorpusContext): CorpusCase[] {
  const bad = ['', '0x10', ' 5', '5 ', '1e3', '0b1', '0o7', '-1', '+1', '1.0', '1.', '.5', '86401', '99999999999999999999', 'NaN', 'Infinity', '-0', '1_000', '١٢', '\uff11', '%20%35', '5%00', 'true', '[]', '5&min_ttl_s=6'];
  const random = fc.sample(fc.string({ maxLength: 12, unit: 'binary' }).filter((s) => !/^[0-9]{1,5}$/.test(s)), { numRuns: 60, seed: 22 });
  const cases: CorpusCase[] = [];
  for (const value of [...bad, ...random]) {
    const encoded = value.startsWith('%') || value.includes('&') ? value : encodeText(value);
    cases.push({ group: 'query-number', name: `min_ttl_s=${JSON.stringify(value)}`, request: buildRequest('GET', `/v1/credentials/${ctx.existingId}/token?min_ttl_s=${encoded}`, { headers: auth(ctx.keys.read) }), status: 400, code: 'invalid_request', field: 'min_ttl_s' });
  }
  for (const good of ['0', '5', '60', '007']) {
    cases.push({ group: 'query-number', name: `min_ttl_s=${good} (valid)`, request: buildRequest('GET', `/v1/credentials/${ctx.existingId}/token?min_ttl_s=${good}`, { headers: auth(ctx.keys.read) }), status: 200 });
  }
  for (const [param, value] of [['status', 'bogus'], ['status', ''], ['provider', 'github'], ['provider', 'oauth2&provider=wechat'], ['status', 'ACTIVE']] as const) {
    cases.push({ group: 'query-enum', name: `list ${param}=${value}`, request: buildRequest('GET', `/v1/credentials?${param}=${value}`, { headers: auth(ctx.keys.read) }), status: 400, field: param });
  }
  return cases;
}

/** Every route, as a method and a path (with the existing id). */
function routes(ctx: CorpusContext): [string, string][] {
  const id = ctx.existingId;
  return [
    ['PUT', `/v1/credentials/${id}`],
    ['GET', `/v1/credentials/${id}/token`],
    ['POST', `/v1/credentials/${id}/refresh`],
    ['POST', `/v1/credentials/${id}/reauthorize`],
    ['GET', `/v1/credentials/${id}`],
    ['DELETE', `/v1/credentials/${id}`],
    ['GET', '/v1/credentials'],
    ['GET', '/healthz'],
    ['GET', '/openapi.json'],
    ['GET', '/metrics'],
    ['POST', '/codec/decode'],
    ['POST', '/codec/encode'],
  ];
}

/** Methods × paths: every method Node knows, lower-case and unknown methods, on every route's path. */
function methodCases(ctx: CorpusContext): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const paths = [...new Set(routes(ctx).map(([, path]) => path)), '/', '/v1', '/v1/credentials/', '/nope'];
  const odd = ['get', 'Put', 'FOO', 'GETS', 'G3T', 'BREW', 'PRI'];
  for (const path of paths) {
    for (const method of [...METHODS, ...odd]) {
      // Only methods without a route on this path: the routes themselves are exercised elsewhere (and DELETE would revoke).
      if (routes(ctx).some(([m, p]) => p === path && (m === method || (m === 'GET' && method === 'HEAD')))) continue;
      if (path.startsWith('/codec/') && method === 'OPTIONS') continue; // the CORS preflight route
      if (method === 'CONNECT') {
        cases.push({ group: 'methods', name: `CONNECT ${path}`, request: Buffer.from(`CONNECT ${path} HTTP/1.1\r\nHost: x\r\n\r\n`), status: [400, 405] });
        continue;
      }
      cases.push({ group: 'methods', name: `${method} ${path}`, request: buildRequest(method, path, { headers: auth(ctx.keys.admin) }), status: [400, 404, 405] });
    }
  }
  return cases;
}

/** Header abuse and what Node's parser refuses, on every route. */
function headerCases(ctx: CorpusContext): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const key = ctx.keys.admin;
  const secret = ctx.secrets.clientSecret;
  for (const [method, path] of routes(ctx)) {
    if (method === 'DELETE' || method === 'PUT') continue;
    const line = `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n`;
    const raw = (name: string, text: string, status?: number | number[]) => cases.push({ group: 'headers', name: `${name}: ${method} ${path}`, request: Buffer.from(text, 'latin1'), status });
    raw('NUL in Authorization', `${line}Authorization: Bearer ${key}\u0000x\r\n\r\n`, 400);
    raw('folded Authorization', `${line}Authorization: Bearer\r\n ${key}\r\n\r\n`, 400);
    raw('100k Authorization', `${line}Authorization: Bearer ${'a'.repeat(100_000)}\r\n\r\n`, 431);
    raw('huge header set', `${line}${Array.from({ length: 2000 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(8)}`).join('\r\n')}\r\n\r\n`, 431);
    raw('control byte in the path', `${method} ${path}\u0001x HTTP/1.1\r\nHost: x\r\n\r\n`, 400);
    raw('space in the path', `${method} ${path} x HTTP/1.1\r\nHost: x\r\n\r\n`, 400);
    raw('DEL in a header name', `${line}X-\u007fBad: 1\r\n\r\n`, 400);
    raw('space before the colon', `${line}Authorization : Bearer ${key}\r\n\r\n`, 400);
    raw('bare LF', `${method} ${path} HTTP/1.1\nHost: x\n\n`, 400);
    raw('CL and TE (smuggling)', `${line}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400);
    raw('two Content-Lengths', `${line}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400);
    raw('TE not chunked last', `${line}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, 400);
    raw('bad chunk size', `${line}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400);
    raw('negative Content-Length', `${line}Content-Length: -1\r\n\r\n`, 400);
    raw('HTTP/2.0 request line', `${method} ${path} HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n`);
    raw('HTTP/9.9', `${method} ${path} HTTP/9.9\r\nHost: x\r\n\r\n`, 400);
    raw('no Host', `${method} ${path} HTTP/1.1\r\nConnection: close\r\nAuthorization: Bearer ${key}\r\n\r\n`, 400);
    raw('Expect: 200-ok', `${line}Expect: 200-ok\r\nAuthorization: Bearer ${key}\r\n\r\n`, 417);
    raw('secret in a bad header', `${line}X-Secret: ${secret}\u0000\r\n\r\n`, 400);
    raw('non-ASCII in the path', `${method} ${path}\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n`);
  }
  for (const [name, bytes] of [
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['TLS client hello', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03]).toString('latin1')],
    ['request line of 20k', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['garbage', '\u0000\u0001\u0002\r\n\r\n'],
    ['absolute-form target', `GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n`],
    ['asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ] as const) {
    cases.push({ group: 'headers', name, request: Buffer.from(bytes, 'latin1') });
  }
  return cases;
}

/** Authorization values that must all answer 401 (never 5xx, never the key back). */
function authCases(ctx: CorpusContext): CorpusCase[] {
  const values = ['', 'Bearer', 'Bearer ', 'bearer x', `Basic ${Buffer.from(`u:${ctx.keys.admin}`).toString('base64')}`, `Bearer ${ctx.keys.admin} extra`, `Bearer ${ctx.keys.admin}x`, `Bearer ${'a'.repeat(600)}`, 'Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9', `Token ${ctx.keys.admin}`, `Bearer ${ctx.secrets.clientSecret}`];
  const cases: CorpusCase[] = [];
  for (const [method, path] of routes(ctx).filter(([, p]) => p !== '/healthz' && p !== '/openapi.json')) {
    for (const value of values) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      cases.push({ group: 'auth', name: `${method} ${path} Authorization=${JSON.stringify(value).slice(0, 24)}`, request: buildRequest(method, path, { headers: { Authorization: value, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body }), status: 401, code: 'unauthorized' });
    }
  }
  return cases;
}

/** Bodies that are not what a route takes: not JSON, not an object, wrong media type, too large, too deep, prototype keys, broken UTF-8. */
function bodyCases(ctx: CorpusContext): CorpusCase[] {
  const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  const deepObject = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
  const bodies: [string, string | Buffer, string, number | number[]][] = [
    ['not JSON', '{"provider":', 'application/json', 400],
    ['a string', '"oauth2"', 'application/json', 400],
    ['a number', '42', 'application/json', 400],
    ['null', 'null', 'application/json', 400],
    ['an array', '[{"provider":"oauth2"}]', 'application/json', 400],
    ['deep arrays', deep, 'application/json', [400, 422]],
    ['deep objects', `{"provider":"oauth2","scope":${deepObject}}`, 'application/json', [400, 422]],
    ['__proto__ key', '{"__proto__":{"admin":true},"provider":"oauth2"}', 'application/json', 400],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}},"provider":"oauth2"}', 'application/json', [400, 422]],
    // The last key wins: a wechat body, kept invalid (a private base_url) so that nothing is registered.
    ['duplicate keys', `{"provider":"oauth2","provider":"wechat","appid":"wx","secret":"${ctx.secrets.appSecret}","base_url":"https://10.0.0.1/"}`, 'application/json', 422],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'application/json', [400, 422]],
    ['UTF-16', Buffer.from('{"provider":"oauth2"}', 'utf16le'), 'application/json', [400, 422]],
    ['BOM', `\ufeff{"provider":"oauth2"}`, 'application/json', [400, 422]],
    ['text/plain', '{}', 'text/plain', 415],
    ['form', 'provider=oauth2', 'application/x-www-form-urlencoded', 415],
    ['multipart', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x', 415],
    ['xml', '<a/>', 'application/xml', 415],
    ['broken media type', '{"x":1}', 'application/json; charset', [400, 415, 422]],
    ['json in another charset', '{"x":1}', 'application/json; charset=latin1', [400, 415, 422]],
    ['70 KiB', `{"provider":"oauth2","scope":"${'s'.repeat(70_000)}"}`, 'application/json', 413],
  ];
  const cases: CorpusCase[] = [];
  const targets: [string, string, string][] = [
    ['PUT', `/v1/credentials/${freshId()}`, ctx.keys.scopedAdmin],
    ['POST', `/v1/credentials/${ctx.existingId}/refresh`, ctx.keys.admin],
    ['POST', `/v1/credentials/${ctx.existingId}/reauthorize`, ctx.keys.admin],
  ];
  for (const [method, path, key] of targets) {
    for (const [name, body, type, status] of bodies) {
      const expected = method === 'PUT' || typeof status === 'number' ? status : [...status, 422];
      cases.push({ group: 'bodies', name: `${method} ${path.split('/').slice(-1)[0]} ${name}`, request: buildRequest(method, path, { headers: { ...auth(key), 'Content-Type': type }, body }), status: expected });
    }
  }
  return cases;
}

/** Credential ids: too long, odd characters, encoded separators, traversal (answered 400/404/414, never 5xx). */
function idCases(ctx: CorpusContext): CorpusCase[] {
  const ids = ['', '.', '..', '-x', '_x', 'a'.repeat(129), 'a'.repeat(257), 'a'.repeat(5000), 'a%2Fb', 'a%00', '%2e%2e', 'a b', 'a%20b', '%E2%80%AEx', 'a;b', 'a,b', "a'b", 'a"b', 'a<b', '%ff', '%', 'credential:x', 'a%0d%0aSet-Cookie:x'];
  const cases: CorpusCase[] = [];
  for (const id of ids) {
    const encoded = /%|[^ -~]/.test(id) ? id : id.replace(/ /g, '%20');
    for (const [method, suffix] of [['GET', '/token'], ['POST', '/refresh'], ['GET', ''], ['DELETE', ''], ['PUT', '']] as const) {
      // Kept invalid (a private base_url), so that an id that turned out valid registers nothing.
      const body = method === 'PUT' ? json({ ...validBody('wecom', ctx), base_url: 'https://10.0.0.1/' }) : method === 'POST' ? '{"x":1}' : undefined;
      cases.push({ group: 'ids', name: `${method} id=${JSON.stringify(id).slice(0, 30)}${suffix}`, request: buildRequest(method, `/v1/credentials/${encoded}${suffix}`, { headers: { ...auth(ctx.keys.admin), ...(body ? { 'Content-Type': 'application/json' } : {}) }, body }), status: [400, 404, 405, 414] });
    }
  }
  return cases;
}

/** The whole corpus. */
export function buildCorpus(ctx: CorpusContext): CorpusCase[] {
  return [...egressCases(ctx), ...typeCases(ctx), ...unknownFieldCases(ctx), ...queryCases(ctx), ...methodCases(ctx), ...headerCases(ctx), ...authCases(ctx), ...bodyCases(ctx), ...idCases(ctx)];
}
