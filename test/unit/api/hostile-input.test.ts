/**
 * Issue 20 in the HTTP layer (in-memory client): made-up field names shown only as a safe prefix,
 * strict query integers, the egress rule in 422 answers, parser errors mapped to the error shape,
 * 405 with `Allow`, and describe never showing a secret-looking query value.
 */
import fc from 'fast-check';
import { safePrefix, shownField } from '../../../src/api/field-names';
import { queryInteger } from '../../../src/api/schemas';
import { describeResponse } from '../../../src/api/responses';
import { clientErrorAnswer, rawErrorResponse } from '../../../src/api/transport-errors';
import { defaultPolicy, type CredentialDescription } from '../../../src/credential';
import { egressPolicyFromEnv } from '../../../src/egress';
import { bearer, oauth2Body, testKeys, testServer } from './fake-token-client';

const admin = bearer(testKeys.adminAll);
const production = egressPolicyFromEnv({}, { development: false });

describe('shownField', () => {
  const known = new Set(['token_endpoint', 'client_secret', 'body']);

  test.each([
    ['token_endpoint', 'token_endpoint'],
    ['tokenEndpoint', 'tokenEndpoint'],
    ['TOKEN-ENDPOINT', 'TOKEN-ENDPOINT'],
    ['foo', 'foo'],
    ['client_s', 'client_s'],
    ['sk_live_0123456789abcdef', 'sk_live_…'],
    ['client_secret.sk_live_0123456789', 'client_secret.sk_live_…'],
    ['0123456789abcdef0123456789abcdef', '01234567…'],
    ['Secret', 'body'],
    ['\u202eterces', 'body'],
    ['a b c d e f g', 'a…'],
    ['', 'body'],
  ])('%j is shown as %j', (field, shown) => expect(shownField(field, known)).toBe(shown));

  test('never shows more than a 8-character prefix of a made-up name (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }), (name) => {
        const shown = shownField(name, known, 'query');
        const made = shown === 'query' || shown.replace(/…$/, '').length <= 8;
        expect(made || known.has(shown)).toBe(true);
        if (name.length > 8 && !known.has(name)) expect(shown).not.toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  test('safePrefix keeps a-z, 0-9 and _ only', () => {
    expect(safePrefix('abc-def')).toBe('abc…');
    expect(safePrefix('ABC')).toBeUndefined();
  });
});

describe('queryInteger', () => {
  const schema = queryInteger(86_400);
  test.each(['', '0x10', ' 5', '5 ', '1e3', '0b1', '0o7', '-1', '+1', '1.0', '.5', '86401', '999999', 'NaN', 'Infinity', '１', '١'])('refuses %j', (text) => {
    expect(schema.safeParse(text).success).toBe(false);
  });
  test('refuses a repeated parameter by saying so', () => {
    const result = schema.safeParse(['1', '2']);
    expect(result.success ? undefined : result.error.issues[0]?.message).toBe('must be given once');
  });
  test.each([['0', 0], ['5', 5], ['007', 7], ['86400', 86_400]])('accepts %j as %d', (text, n) => expect(schema.parse(text)).toBe(n));
});

describe('PUT with an outbound URL the egress policy refuses', () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    ['metadata token endpoint', { token_endpoint: 'https://169.254.169.254/latest/meta-data/' }, 'token_endpoint', 'metadata_address'],
    ['private issuer', { token_endpoint: undefined, issuer: 'https://10.1.2.3/' }, 'issuer', 'private_address'],
    ['loopback over plain http', { token_endpoint: 'http://127.0.0.1:6379/', allow_insecure_http: true }, 'token_endpoint', 'loopback_address'],
    ['hex IPv4', { token_endpoint: 'https://0x7f.0.0.1/' }, 'token_endpoint', 'non_canonical'],
    ['a right-to-left override', { token_endpoint: 'https://idp.example.com/\u202etoken' }, 'token_endpoint', 'non_canonical'],
    ['user info', { token_endpoint: 'https://u:p@idp.example.com/token' }, 'token_endpoint', 'userinfo'],
    ['gopher', { token_endpoint: 'gopher://idp.example.com/' }, 'token_endpoint', 'scheme'],
  ])('%s: 422 naming the field and the rule, nothing registered', async (_name, overrides, field, rule) => {
    const { app, client } = testServer({ egressPolicy: production });
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body(overrides) });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: { code: 'invalid_config', field, rule, message: expect.stringContaining(`${field}:`) } });
    expect(client.calls).toEqual([]);
  });

  test('a wechat base_url on a metadata name, and the same through POST reauthorize', async () => {
    const { app, client } = testServer({ egressPolicy: production });
    const body = { provider: 'wechat', appid: 'wx1', secret: 'app-secret-123456', base_url: 'http://metadata.google.internal/', allow_insecure_http: true };
    const put = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: body });
    expect(put.json().error).toMatchObject({ field: 'base_url', rule: 'metadata_address' });
    const reauth = await app.inject({ method: 'POST', url: '/v1/credentials/c1/reauthorize', headers: admin, payload: body });
    expect(reauth.json().error).toMatchObject({ field: 'base_url', rule: 'metadata_address' });
    expect(client.calls).toEqual([]);
  });

  test('a secret in the token endpoint query is refused without showing it; an ordinary query is kept', async () => {
    const { app, client } = testServer({ egressPolicy: production });
    const secret = 'QmFzZTY0U2VjcmV0VmFsdWUxMjM0NTY';
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body({ token_endpoint: `https://idp.example.com/token?client_secret=${secret}` }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.field).toBe('token_endpoint');
    expect(res.body).not.toContain(secret);
    const ok = await app.inject({ method: 'PUT', url: '/v1/credentials/c2', headers: admin, payload: oauth2Body({ token_endpoint: 'HTTPS://IDP.Example.com:443/token?api-version=2' }) });
    expect(ok.statusCode).toBe(201);
    expect(client.calls[0]?.args[0]).toMatchObject({ config: { tokenEndpoint: 'https://idp.example.com/token?api-version=2' } });
  });
});

describe('describe', () => {
  test('masks a secret-looking query value of a URL setting (credentials registered before such URLs were refused)', () => {
    const description = {
      id: 'c1', provider: 'oauth2', status: 'active', version: 1, settings: { tokenEndpoint: 'https://idp.example.com/token?client_secret=abcdefABCDEF0123456789&tenant=t1', clientId: 'c' },
      counts: { refreshes: 0, upstreamCalls: 0, failures: 0, coalesced: 0, runs: 1 }, policy: defaultPolicy,
      quota: { callsLast24h: 0, maxPerDay: 1, minIntervalMs: 0, nextAllowedAt: 0 }, hasRefreshToken: true, createdAt: 0,
    } as unknown as CredentialDescription;
    const shown = describeResponse(description);
    expect(shown.settings).toEqual({ token_endpoint: 'https://idp.example.com/token?client_secret=***&tenant=t1', client_id: 'c' });
  });
});

describe('answers made before a route runs', () => {
  test.each<[string, string | undefined, number, string]>([
    ['HPE_INVALID_METHOD', 'get / HTTP/1.1\r\n', 405, 'method_not_allowed'],
    ['HPE_INVALID_METHOD', '\u0016\u0003\u0001\u0000', 400, 'invalid_request'],
    ['HPE_HEADER_OVERFLOW', `GET /${'a'.repeat(9000)} HTTP/1.1\r\n`, 414, 'uri_too_long'],
    ['HPE_HEADER_OVERFLOW', 'GET / HTTP/1.1\r\nX: y\r\n', 431, 'headers_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', undefined, 408, 'request_timeout'],
    ['HPE_INVALID_HEADER_TOKEN', undefined, 400, 'invalid_request'],
    ['HPE_INVALID_TRANSFER_ENCODING', undefined, 400, 'invalid_request'],
    ['something new', undefined, 400, 'invalid_request'],
  ])('%s, received %j → %d %s', (code, packet, status, errorCode) => {
    const answer = clientErrorAnswer({ code, rawPacket: packet === undefined ? undefined : Buffer.from(packet, 'latin1') });
    expect([answer.status, answer.code]).toEqual([status, errorCode]);
    const raw = rawErrorResponse(answer);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toEqual({ error: { code: errorCode, message: expect.any(String) } });
    expect(raw).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(raw).not.toContain('something new');
  });

  test('a path with routes for other methods answers 405 with Allow; an unknown path 404', async () => {
    const { app } = testServer();
    const post = await app.inject({ method: 'POST', url: '/v1/credentials/c1/token', headers: admin });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.json()).toEqual({ error: { code: 'method_not_allowed', message: 'this path answers GET, HEAD only' } });
    const patch = await app.inject({ method: 'PATCH', url: '/v1/credentials/c1', headers: admin });
    expect(patch.headers.allow).toBe('DELETE, GET, HEAD, PUT');
    const none = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(none.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET on this path' } });
  });

  test('an explicit JSON null body is refused, not taken for an empty one', async () => {
    const { app, client } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    const res = await app.inject({ method: 'POST', url: '/v1/credentials/c1/refresh', headers: { ...admin, 'content-type': 'application/json' }, payload: 'null' });
    expect(res.statusCode).toBe(400);
    expect(client.calls.filter((c) => c.method === 'refresh')).toEqual([]);
  });
});
