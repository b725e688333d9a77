/**
 * The registration-time check, table-tested in every spelling the issue lists: cloud metadata
 * (decimal, hex, octal, IPv4-mapped, NAT64, 6to4, Teredo, names), private ranges, CGNAT,
 * unspecified, loopback services (Redis, Temporal, Halflife's own API, `*.localhost`), and how
 * development mode and explicit allow/deny entries change the outcome.
 */
import { checkEgressUrl, egressPolicyFromEnv, type EgressPolicy } from '../../../src/egress';

const production = egressPolicyFromEnv({}, { development: false });
const development = egressPolicyFromEnv({}, { development: true });
const imds = '/latest/meta-data/iam/security-credentials/';

/** The rule `url` breaks under `policy`, or 'ok'. */
function ruleOf(url: string, policy: EgressPolicy = production): string {
  const result = checkEgressUrl(url, policy, 'token_endpoint');
  if (result.ok) return 'ok';
  expect(result.field).toBe('token_endpoint');
  expect(result.reason).toContain(`egress rule ${result.rule}`);
  return result.rule;
}

const metadata: [string, string][] = [
  [`https://169.254.169.254${imds}`, 'metadata_address'],
  [`http://169.254.169.254${imds}`, 'metadata_address'],
  [`https://2852039166${imds}`, 'non_canonical'],
  [`https://0xa9fea9fe${imds}`, 'non_canonical'],
  [`https://0xA9.0xFE.0xA9.0xFE${imds}`, 'non_canonical'],
  [`https://0251.0376.0251.0376${imds}`, 'non_canonical'],
  [`https://025177524776${imds}`, 'non_canonical'],
  [`https://169.254.43518${imds}`, 'non_canonical'],
  [`https://169.16689662${imds}`, 'non_canonical'],
  [`https://%31%36%39.254.169.254${imds}`, 'non_canonical'],
  [`https://[::ffff:169.254.169.254]${imds}`, 'non_canonical'],
  [`https://[::ffff:a9fe:a9fe]${imds}`, 'metadata_address'],
  [`https://[::FFFF:A9FE:A9FE]${imds}`, 'metadata_address'],
  [`https://[::ffff:0:a9fe:a9fe]${imds}`, 'metadata_address'],
  [`https://[64:ff9b::a9fe:a9fe]${imds}`, 'metadata_address'],
  [`https://[2002:a9fe:a9fe::1]${imds}`, 'metadata_address'],
  [`https://[::a9fe:a9fe]${imds}`, 'metadata_address'],
  [`https://[2001:0:4136:e378:8000:63bf:5601:5601]${imds}`, 'metadata_address'],
  ['https://[fd00:ec2::254]/latest/meta-data/', 'metadata_address'],
  ['https://[fd00:ec2::23]/', 'metadata_address'],
  ['http://169.254.170.2/v2/credentials/x', 'metadata_address'],
  ['http://169.254.170.23/v1/credentials', 'metadata_address'],
  ['http://100.100.100.200/latest/meta-data/', 'metadata_address'],
  ['http://168.63.129.16/machine', 'metadata_address'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'metadata_address'],
  ['http://METADATA.Google.Internal/computeMetadata/v1/', 'metadata_address'],
  ['http://metadata.google.internal./computeMetadata/v1/', 'non_canonical'],
  ['http://metadata/computeMetadata/v1/', 'metadata_address'],
  ['http://metadata.goog/', 'metadata_address'],
  ['http://instance-data/latest/', 'metadata_address'],
  ['http://metadata.tencentyun.com/latest/meta-data/', 'metadata_address'],
  // A name is not resolved at registration; what it resolves to is refused at connect time (dispatcher tests).
  [`https://169.254.169.254.nip.io${imds}`, 'ok'],
];

const ranges: [string, string][] = [
  ['https://10.0.0.1/token', 'private_address'],
  ['https://10.255.255.255/token', 'private_address'],
  ['https://172.16.0.1/token', 'private_address'],
  ['https://172.31.255.254/token', 'private_address'],
  ['https://172.32.0.1/token', 'ok'],
  ['https://192.168.1.1/token', 'private_address'],
  ['https://100.64.0.1/token', 'cgnat_address'],
  ['https://100.127.255.254/token', 'cgnat_address'],
  ['https://100.128.0.1/token', 'ok'],
  ['https://[fc00::1]/token', 'private_address'],
  ['https://[fd12:3456:789a::1]/token', 'private_address'],
  ['https://[fec0::1]/token', 'private_address'],
  ['https://[::ffff:a00:1]/token', 'private_address'],
  ['https://[64:ff9b::c0a8:101]/token', 'private_address'],
  ['https://[2002:ac10:1::]/token', 'private_address'],
  ['https://0.0.0.0/token', 'unspecified_address'],
  ['https://0.1.2.3/token', 'unspecified_address'],
  ['https://0/token', 'non_canonical'],
  ['https://[::]/token', 'unspecified_address'],
  ['https://169.254.1.1/token', 'link_local_address'],
  ['https://[fe80::1]/token', 'link_local_address'],
  ['https://224.0.0.1/token', 'multicast_address'],
  ['https://[ff02::1]/token', 'multicast_address'],
  ['https://255.255.255.255/token', 'broadcast_address'],
  ['https://240.0.0.1/token', 'reserved_address'],
  ['https://192.0.2.10/token', 'reserved_address'],
  ['https://198.18.0.1/token', 'reserved_address'],
  ['https://[2001:db8::1]/token', 'reserved_address'],
  ['https://[100::1]/token', 'reserved_address'],
  ['https://[64:ff9b:1::a00:1]/token', 'reserved_address'],
  ['https://[::1.2.3.4]/token', 'non_canonical'],
  ['https://[::102:304]/token', 'reserved_address'],
  ['https://[4000::1]/token', 'reserved_address'],
];

const loopback: string[] = [
  'http://localhost:7380/v1/credentials/x/refresh',
  'http://LOCALHOST:7380/v1/credentials/x/refresh',
  'http://127.0.0.1:7380/v1/credentials/x/refresh',
  'http://127.0.0.1:6379/',
  'http://localhost:6379/',
  'http://[::1]:6379/',
  'http://127.0.0.1:7233/temporal.api.workflowservice.v1.WorkflowService/',
  'http://localhost:7233/',
  'http://127.0.0.1:8233/api/v1/namespaces',
  'http://127.0.0.1:9090/metrics',
  'http://127.1.2.3/',
  'http://[::ffff:7f00:1]:6379/',
  'http://[::7f00:1]/',
  'http://evil.localhost/',
  'http://a.b.evil.localhost:7380/',
  'http://localhost.localdomain/',
];

const public_: string[] = [
  'https://oauth2.googleapis.com/token',
  'https://api.weixin.qq.com/cgi-bin/token',
  'https://qyapi.weixin.qq.com',
  'https://login.microsoftonline.com/common/oauth2/v2.0/token?api-version=2',
  'https://8.8.8.8/',
  'https://[2606:4700:4700::1111]/token',
  'https://[::ffff:808:808]/token',
  'https://[64:ff9b::808:808]/token',
  'https://Example.COM:443/token',
];

const spelling: [string, string][] = [
  [' https://example.com/token', 'non_canonical'],
  ['https://example.com/token ', 'non_canonical'],
  ['https://exam\tple.com/token', 'non_canonical'],
  ['https://example.com/to\nken', 'non_canonical'],
  ['https://example.com/\u0000', 'non_canonical'],
  ['https://example.com/\u202Egnp.exe', 'non_canonical'],
  ['https://example.com/\u200Btoken', 'non_canonical'],
  ['http:/example.com/token', 'non_canonical'],
  ['http:example.com/token', 'non_canonical'],
  ['https:\\\\example.com\\token', 'non_canonical'],
  ['https://example.com\\@169.254.169.254/', 'non_canonical'],
  ['https://example.com:0443/token', 'non_canonical'],
  ['https://example.com/a/../token', 'non_canonical'],
  ['https://example.com/a%2e%2e/token', 'ok'],
  ['https://example.com/%2e%2e/token', 'non_canonical'],
  ['https://b\u00fccher.example/token', 'non_canonical'],
  ['https://0x7f.0.0.1/', 'non_canonical'],
  ['http://127.1/', 'non_canonical'],
  ['http://2130706433/', 'non_canonical'],
  ['http://017700000001/', 'non_canonical'],
  ['not a url', 'non_canonical'],
  ['/relative/token', 'non_canonical'],
  ['ftp://example.com/token', 'scheme'],
  ['file:///etc/passwd', 'scheme'],
  ['gopher://127.0.0.1:6379/_FLUSHALL', 'scheme'],
  ['javascript:alert(1)', 'scheme'],
  ['https://user:pass@example.com/token', 'userinfo'],
];

describe('checkEgressUrl (production defaults)', () => {
  test.each(metadata)('cloud metadata: %s → %s', (url, rule) => expect(ruleOf(url)).toBe(rule));
  test.each(ranges)('address ranges: %s → %s', (url, rule) => expect(ruleOf(url)).toBe(rule));
  test.each(loopback)('loopback service %s → loopback_address', (url) => expect(ruleOf(url)).toBe('loopback_address'));
  test.each(public_)('public %s → ok', (url) => expect(ruleOf(url)).toBe('ok'));
  test.each(spelling)('spelling %j → %s', (url, rule) => expect(ruleOf(url)).toBe(rule));

  test('an accepted URL comes back in canonical form', () => {
    expect(checkEgressUrl('HTTPS://Example.COM:443', production, 'f')).toEqual({ ok: true, url: 'https://example.com/' });
  });

  test('a refusal names the field, the rule and what the rule means', () => {
    expect(checkEgressUrl('http://10.1.2.3/', production, 'base_url')).toEqual({
      ok: false,
      field: 'base_url',
      rule: 'private_address',
      reason: 'points to a private network address (egress rule private_address)',
    });
  });

  test('a non-string value is refused, not thrown on', () => {
    expect(checkEgressUrl(42 as unknown as string, production, 'f')).toMatchObject({ ok: false, rule: 'non_canonical' });
  });
});

describe('development mode', () => {
  test.each(loopback)('allows loopback %s', (url) => expect(ruleOf(url, development)).toBe('ok'));
  test.each([...metadata.filter(([, r]) => r === 'metadata_address'), ...ranges.filter(([, r]) => r !== 'ok')])('still refuses %s', (url, rule) => {
    expect(ruleOf(url, development)).toBe(rule);
  });
});

describe('explicit allow and deny entries', () => {
  const policy = (allow: string, deny = '', dev = false) => egressPolicyFromEnv({ HALFLIFE_EGRESS_ALLOW: allow, HALFLIFE_EGRESS_DENY: deny }, { development: dev });

  test.each<[string, string, string, string]>([
    ['127.0.0.1', '', 'http://127.0.0.1:7380/', 'ok'],
    ['127.0.0.1', '', 'http://127.0.0.2:7380/', 'loopback_address'],
    ['127.0.0.1', '', 'http://[::ffff:7f00:1]:7380/', 'ok'],
    ['127.0.0.1', '', 'http://localhost:7380/', 'loopback_address'],
    ['localhost', '', 'http://localhost:7380/', 'ok'],
    ['localhost', '', 'http://evil.localhost/', 'loopback_address'],
    ['10.0.0.0/8', '', 'https://10.20.30.40/token', 'ok'],
    ['10.0.0.0/8', '', 'https://[::ffff:a14:1e28]/token', 'ok'],
    ['10.0.0.0/8', '', 'https://172.16.0.1/token', 'private_address'],
    ['fd00::/8', '', 'https://[fd12::1]/token', 'ok'],
    ['fd00::/8', '', 'https://[fc12::1]/token', 'private_address'],
    ['*.internal.example.com', '', 'https://vault.internal.example.com/token', 'ok'],
    ['metadata.google.internal', '', 'http://metadata.google.internal/computeMetadata/v1/', 'ok'],
    ['', 'api.example.com', 'https://api.example.com/token', 'denied_host'],
    ['', 'api.example.com', 'https://API.example.com/token', 'denied_host'],
    ['', 'api.example.com', 'https://www.example.com/token', 'ok'],
    ['', '*.example.com', 'https://a.b.example.com/token', 'denied_host'],
    ['', '*.example.com', 'https://example.com/token', 'ok'],
    ['', '8.8.8.0/24', 'https://8.8.8.8/token', 'denied_address'],
    ['', '8.8.8.0/24', 'https://[::ffff:808:808]/token', 'denied_address'],
    ['', '8.8.8.0/24', 'https://[64:ff9b::808:808]/token', 'denied_address'],
    ['', '8.8.8.0/24', 'https://[2002:808:808::1]/token', 'denied_address'],
    ['', '2606:4700::/32', 'https://[2606:4700:4700::1111]/token', 'denied_address'],
    ['10.0.0.0/8', '10.0.0.5', 'https://10.0.0.5/token', 'denied_address'],
    ['10.0.0.0/8', '10.0.0.5', 'https://10.0.0.6/token', 'ok'],
    ['*.example.com', 'secret.example.com', 'https://secret.example.com/', 'denied_host'],
    ['secret.example.com', '*.example.com', 'https://secret.example.com/', 'denied_host'],
  ])('allow %j deny %j: %s → %s', (allow, deny, url, rule) => expect(ruleOf(url, policy(allow, deny))).toBe(rule));

  test('an explicit deny wins over development mode', () => {
    expect(ruleOf('http://127.0.0.1:6379/', policy('', '127.0.0.1/32', true))).toBe('denied_address');
    expect(ruleOf('http://localhost:6379/', policy('', 'localhost', true))).toBe('denied_host');
    expect(ruleOf('http://127.0.0.1:7380/', policy('', '', true))).toBe('ok');
  });
});
