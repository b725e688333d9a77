/**
 * `HALFLIFE_EGRESS_ALLOW` / `HALFLIFE_EGRESS_DENY` parsing (good entries canonicalised, bad
 * entries refused naming the variable and the entry) and the address decisions, including
 * addresses as a resolver returns them (zone ids, IPv4-mapped).
 */
import ipaddr from 'ipaddr.js';
import { decideAddress, decideHostName, egressPolicyFromEnv } from '../../../src/egress';

const production = egressPolicyFromEnv({}, { development: false });

describe('egressPolicyFromEnv', () => {
  test('reads both variables; spaces and empty items are ignored', () => {
    const policy = egressPolicyFromEnv(
      { HALFLIFE_EGRESS_ALLOW: ' 10.0.0.0/8, FD00::/8 ,Vault.Internal.Example.com,*.internal.example.com,10.1.2.3,::1,', HALFLIFE_EGRESS_DENY: 'metadata.google.internal' },
      { development: true },
    );
    expect(policy.development).toBe(true);
    expect(policy.allow.map((e) => e.text)).toEqual(['10.0.0.0/8', 'FD00::/8', 'vault.internal.example.com', '*.internal.example.com', '10.1.2.3', '::1']);
    expect(policy.allow.map((e) => e.kind)).toEqual(['cidr', 'cidr', 'host', 'host', 'cidr', 'cidr']);
    expect(policy.deny.map((e) => e.text)).toEqual(['metadata.google.internal']);
  });

  test('absent variables mean no explicit entries', () => {
    expect(egressPolicyFromEnv({}, { development: false })).toEqual({ development: false, allow: [], deny: [] });
  });

  test('an internationalised host pattern is stored in its xn-- form', () => {
    expect(egressPolicyFromEnv({ HALFLIFE_EGRESS_DENY: 'bücher.example' }, { development: false }).deny[0]?.text).toBe('xn--bcher-kva.example');
  });

  test.each([
    ['10.0.0.0/33', 'prefix length'],
    ['::/129', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/x', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'],
    ['10.1.0.0/8', 'the network is 10.0.0.0/8'],
    ['fd00::1/8', 'the network is fd00::/8'],
    ['0x7f.0.0.1/8', 'is not a CIDR'],
    ['0x7f.0.0.1', 'non-standard spelling'],
    ['127.1', 'non-standard spelling'],
    ['2130706433', 'non-standard spelling'],
    ['*.10.0.0.1', 'wildcard on an IP address'],
    ['foo.*.com', 'leading "*."'],
    ['*foo.com', 'leading "*."'],
    ['*', 'leading "*."'],
    ['*.', 'is not a host name'],
    ['http://example.com', 'is not a CIDR'],
    ['user@example.com', 'is not a CIDR'],
    ['example.com:443', 'is not a CIDR'],
    ['exa mple.com', 'is not a CIDR'],
    ['exa\tmple.com', 'is not a CIDR'],
    ['example.com.', 'empty label'],
    ['.example.com', 'empty label'],
    ['a..b', 'empty label'],
    ['[::1]', 'is not a CIDR'],
    ['fe80::1%eth0', 'is not a CIDR'],
    ['exa<mple.com', 'not a valid host name'],
  ])('refuses %j (%s), naming the variable and the entry', (entry, reason) => {
    for (const variable of ['HALFLIFE_EGRESS_ALLOW', 'HALFLIFE_EGRESS_DENY']) {
      let thrown: unknown;
      try {
        egressPolicyFromEnv({ [variable]: `8.8.8.8, ${entry}` }, { development: false });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ name: 'InvalidConfigError', code: 'invalid_config', field: variable });
      const message = (thrown as Error).message;
      expect(message.startsWith(`${variable}: entry ${JSON.stringify(entry)} `)).toBe(true);
      expect(message).toContain(reason);
    }
  });

  test('a very long bad entry is shortened in the message', () => {
    const entry = `${'a'.repeat(300)}/8`;
    expect(() => egressPolicyFromEnv({ HALFLIFE_EGRESS_DENY: entry }, { development: false })).toThrow(/entry "a{79}…" /);
  });
});

describe('decideAddress', () => {
  test.each([
    ['169.254.169.254', 'metadata_address'],
    ['fe80::1%eth0', 'link_local_address'],
    ['::ffff:10.0.0.1', 'private_address'],
    ['::ffff:0:7f00:1', 'loopback_address'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', undefined],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved_address'],
    ['2001:0:c0a8:101:8000:63bf:3fff:fdd2', 'private_address'],
    ['5f00::1', 'reserved_address'],
    ['2001:2::1', 'reserved_address'],
    ['192.175.48.1', undefined],
    ['93.184.216.34', undefined],
  ])('%s → %s', (text, rule) => {
    const decision = decideAddress(production, ipaddr.parse(text));
    expect(decision.allowed ? undefined : decision.rule).toBe(rule);
  });

  test('an explicitly allowed host name skips the built-in rules for its addresses, but not deny entries', () => {
    const policy = egressPolicyFromEnv({ HALFLIFE_EGRESS_ALLOW: 'vault.corp.example', HALFLIFE_EGRESS_DENY: '10.9.0.0/16' }, { development: false });
    expect(decideHostName(policy, 'vault.corp.example')).toEqual({ allowed: true, explicit: true });
    expect(decideAddress(policy, ipaddr.parse('10.1.2.3'), true)).toEqual({ allowed: true, explicit: true });
    expect(decideAddress(policy, ipaddr.parse('10.9.2.3'), true)).toEqual({ allowed: false, rule: 'denied_address' });
    expect(decideAddress(policy, ipaddr.parse('10.1.2.3'), false)).toEqual({ allowed: false, rule: 'private_address' });
  });

  test('host names are matched without one trailing dot and without case', () => {
    expect(decideHostName(production, 'Metadata.Google.Internal.')).toEqual({ allowed: false, rule: 'metadata_address' });
    expect(decideHostName(production, 'evil.LOCALHOST.')).toEqual({ allowed: false, rule: 'loopback_address' });
    expect(decideHostName(production, 'notlocalhost')).toEqual({ allowed: true, explicit: false });
    expect(decideHostName(production, 'localhost.example.com')).toEqual({ allowed: true, explicit: false });
  });
});
