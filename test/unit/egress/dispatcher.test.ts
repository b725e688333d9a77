/**
 * Connect-time enforcement over real loopback servers: 127.0.0.1 ("allowed" through development
 * mode or an allow entry) and 127.0.0.2 on the same port (an internal service that must stay
 * unreached). Denied cases assert the server received no connection at all, each beside a
 * control showing the same server is reachable when the policy allows it. Resolution is
 * injected (`lookup`), so DNS rebinding and `.nip.io`-style names are exercised without DNS.
 */
import { checkEgressUrl, createEgressFetch, egressPolicyFromEnv, isEgressDeniedError, type EgressFetch, type EgressPolicy, type ResolvedAddress } from '../../../src/egress';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';

let a: LoopbackServer; // 127.0.0.1:<port>
let b: LoopbackServer; // 127.0.0.2:<same port>
const fetches: EgressFetch[] = [];

beforeAll(async () => {
  a = await startLoopbackServer('127.0.0.1');
  b = await startLoopbackServer('127.0.0.2', a.port);
});
afterAll(async () => Promise.all([a.close(), b.close()]));
beforeEach(() => [a, b].forEach((s) => s.reset()));
afterEach(async () => Promise.all(fetches.splice(0).map((f) => f.close())));

const production = egressPolicyFromEnv({}, { development: false });
const development = egressPolicyFromEnv({}, { development: true });
const policy = (allow: string, deny = '') => egressPolicyFromEnv({ HALFLIFE_EGRESS_ALLOW: allow, HALFLIFE_EGRESS_DENY: deny }, { development: false });
const v4 = (address: string): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 });

/** An egress fetch closed after the test; `answers` maps a host name to what the resolver returns. */
function egress(p: EgressPolicy, answers?: Record<string, string[]> | ((host: string) => string[])) {
  const calls: string[] = [];
  const lookup = answers
    ? async (host: string) => {
        calls.push(host);
        return (typeof answers === 'function' ? answers(host) : (answers[host] ?? [])).map(v4);
      }
    : undefined;
  const f = createEgressFetch(p, { lookup, connectTimeoutMs: 2_000 });
  fetches.push(f);
  return { fetch: f, calls };
}

/** The EgressDeniedError `promise` rejects with (fails the test if it resolves or fails otherwise). */
async function denial(promise: Promise<Response>): Promise<{ rule: string; host: string; message: string }> {
  const err: unknown = await promise.then(
    (r) => new Error(`expected a refusal, got HTTP ${r.status}`),
    (e: unknown) => e,
  );
  if (!isEgressDeniedError(err)) throw err;
  expect(err).toMatchObject({ name: 'EgressDeniedError', code: 'egress_denied' });
  return err;
}

test('development mode connects to loopback', async () => {
  const response = await egress(development).fetch(new URL(`${a.origin}/x`));
  expect([response.status, await response.text(), a.connections]).toEqual([200, 'ok /x', 1]);
});

test.each(['127.0.0.1', 'localhost', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]'])('production refuses http://%s:<port> before connecting', async (host) => {
  const { fetch } = egress(production);
  expect((await denial(fetch(`http://${host}:${a.port}/v1/credentials/x/refresh`))).rule).toBe('loopback_address');
  expect(a.connections).toBe(0);
  await egress(development).fetch(`${a.origin}/control`); // the same server is reachable when allowed
  expect(a.requests).toEqual(['GET /control']);
});

test('an explicit allow entry permits one loopback address, not its neighbours', async () => {
  const { fetch } = egress(policy('127.0.0.1'));
  expect((await fetch(`${a.origin}/ok`)).status).toBe(200);
  expect((await denial(fetch(`${b.origin}/`))).rule).toBe('loopback_address');
  expect([a.connections, b.connections]).toEqual([1, 0]);
});

test('DNS rebinding: allowed at registration and on the first call, refused once the name points elsewhere', async () => {
  const p = policy('127.0.0.1');
  let answer = '127.0.0.1';
  const { fetch, calls } = egress(p, () => [answer]);
  const url = `http://rebind.test:${a.port}/close`;
  expect(checkEgressUrl(url, p, 'token_endpoint')).toEqual({ ok: true, url });
  expect((await fetch(url)).status).toBe(200); // `Connection: close`: the next call connects again
  answer = '127.0.0.2';
  expect(await denial(fetch(url))).toMatchObject({ rule: 'loopback_address', host: 'rebind.test' });
  answer = '169.254.169.254';
  expect((await denial(fetch(url))).rule).toBe('metadata_address');
  expect(calls).toEqual(['rebind.test', 'rebind.test', 'rebind.test']);
  expect([a.connections, b.connections]).toEqual([1, 0]);
  answer = '127.0.0.2';
  expect((await egress(development, () => [answer]).fetch(url)).status).toBe(200); // control: b is reachable
  expect(b.requests).toEqual(['GET /close']);
});

test('every resolved address is checked, not only the first', async () => {
  const { fetch } = egress(policy('127.0.0.1'), { 'mixed.test': ['127.0.0.1', '10.0.0.1'], 'clean.test': ['127.0.0.1'] });
  expect((await denial(fetch(`http://mixed.test:${a.port}/`))).rule).toBe('private_address');
  expect(a.connections).toBe(0);
  expect((await fetch(`http://clean.test:${a.port}/`)).status).toBe(200);
});

test.each([
  ['169.254.169.254.nip.io', '169.254.169.254', 'metadata_address'],
  ['a9fea9fe.nip.io', '169.254.169.254', 'metadata_address'],
  ['mapped.test', '::ffff:169.254.169.254', 'metadata_address'],
  ['fd00-ec2--254.sslip.io', 'fd00:ec2::254', 'metadata_address'],
  ['169.254.170.2.nip.io', '169.254.170.2', 'metadata_address'],
  ['100.100.100.200.nip.io', '100.100.100.200', 'metadata_address'],
  ['10.0.0.1.nip.io', '10.0.0.1', 'private_address'],
  ['172.16.5.4.nip.io', '172.16.5.4', 'private_address'],
  ['192.168.0.1.nip.io', '192.168.0.1', 'private_address'],
  ['100.64.0.1.nip.io', '100.64.0.1', 'cgnat_address'],
  ['fc00--1.sslip.io', 'fc00::1', 'private_address'],
  ['0.0.0.0.nip.io', '0.0.0.0', 'unspecified_address'],
  ['link.test', 'fe80::1%lo', 'link_local_address'],
  ['127.0.0.2.nip.io', '127.0.0.2', 'loopback_address'],
  ['nat64.test', '64:ff9b::7f00:2', 'loopback_address'],
])('%s resolving to %s is refused at connect time (%s)', async (name, address, rule) => {
  const { fetch, calls } = egress(production, { [name]: [address] });
  expect(checkEgressUrl(`http://${name}:${a.port}/`, production, 'base_url').ok).toBe(true);
  expect(await denial(fetch(`http://${name}:${a.port}/`))).toMatchObject({ rule, host: name });
  expect(calls).toEqual([name]);
  expect([a.connections, b.connections]).toEqual([0, 0]);
});

test('names refused by pattern are refused before any DNS query', async () => {
  const { fetch, calls } = egress(policy('', '*.internal.test'), { 'vault.internal.test': ['8.8.8.8'] });
  expect((await denial(fetch('http://vault.internal.test/'))).rule).toBe('denied_host');
  expect((await denial(fetch('http://metadata.google.internal/computeMetadata/v1/'))).rule).toBe('metadata_address');
  expect((await denial(fetch('http://evil.localhost/'))).rule).toBe('loopback_address');
  expect(calls).toEqual([]);
});

test('a name an allow entry names may resolve to an internal address; deny entries still apply', async () => {
  const allowed = egress(policy('vault.test'), { 'vault.test': ['127.0.0.2'] });
  expect((await allowed.fetch(`http://vault.test:${a.port}/secret`)).status).toBe(200);
  expect(b.requests).toEqual(['GET /secret']);
  b.reset();
  const denied = egress(policy('vault.test', '127.0.0.2'), { 'vault.test': ['127.0.0.2'] });
  expect((await denial(denied.fetch(`http://vault.test:${a.port}/secret`))).rule).toBe('denied_address');
  expect(b.connections).toBe(0);
});

describe('redirects', () => {
  test.each([
    [302, 'GET', undefined],
    [307, 'POST', 'client_secret=s3cret'],
    [308, 'POST', 'client_secret=s3cret'],
  ])('a %i is returned as it is and never followed', async (status, method, body) => {
    const target = `${b.origin}/target`;
    for (const redirect of [undefined, 'follow', 'error'] as const) {
      const response = await egress(development).fetch(`${a.origin}/redirect?status=${status}&to=${encodeURIComponent(target)}`, { method, body, redirect });
      expect(response.status).toBe(status);
      expect(response.headers.get('location')).toBe(target);
    }
    expect(b.connections).toBe(0);
  });
});

test('keep-alive reuses a checked connection; another name on the same address is checked anew', async () => {
  const { fetch } = egress(policy('127.0.0.1'), { 'good.test': ['127.0.0.1'], 'evil.test': ['127.0.0.1', '169.254.169.254'] });
  // undici hands a socket back to the pool a moment after the body ends, so a request sent at
  // once may open a second connection; send until one reuses a pooled connection.
  for (let i = 0; i < 5 && a.requests.length <= a.connections; i += 1) await (await fetch(`http://good.test:${a.port}/${i}`)).text();
  expect(a.requests.length).toBeGreaterThan(a.connections);
  const before = [a.connections, a.requests.length];
  expect((await denial(fetch(`http://evil.test:${a.port}/evil`))).rule).toBe('metadata_address');
  expect([a.connections, a.requests.length]).toEqual(before);
});

test('sends the method, headers and a URLSearchParams body as fetch does', async () => {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'a b' });
  const response = await egress(development).fetch(new URL(`${a.origin}/token`), { method: 'POST', body, headers: { accept: 'application/json' } });
  expect(await response.text()).toBe('ok /token');
  expect(a.requests).toEqual(['POST /token grant_type=client_credentials&scope=a+b']);
});

test('the error names the rule and host, never the resolved address or anything from the request', async () => {
  const { fetch } = egress(production, { 'api.example.test': ['10.20.30.40'] });
  const err = await denial(fetch('http://api.example.test/token?x=1', { method: 'POST', body: 'client_secret=hunter2', headers: { authorization: 'Basic c2VjcmV0' } }));
  expect(err).toMatchObject({ rule: 'private_address', host: 'api.example.test' });
  expect(err.message).toBe('egress to api.example.test refused: points to a private network address (egress rule private_address)');
  expect(JSON.stringify({ ...err, message: err.message })).not.toMatch(/10\.20\.30\.40|hunter2|c2VjcmV0|x=1/);
});

test('schemes other than http and https are refused', async () => {
  expect((await denial(egress(development).fetch('ftp://127.0.0.1/'))).rule).toBe('scheme');
});

test('resolution counts against the connect timeout', async () => {
  const f = createEgressFetch(production, { lookup: () => new Promise<never>(() => undefined), connectTimeoutMs: 100 });
  fetches.push(f);
  const err: unknown = await f('http://slow.test/').catch((e: unknown) => e);
  expect(isEgressDeniedError(err)).toBe(false);
  expect((err as { cause?: { code?: string } }).cause?.code).toBe('UND_ERR_CONNECT_TIMEOUT');
});

test('the system resolver is the default', async () => {
  const response = await egress(policy('localhost,127.0.0.1,::1')).fetch(`http://localhost:${a.port}/sys`);
  expect(await response.text()).toBe('ok /sys');
});
