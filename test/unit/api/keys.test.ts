import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeys, bearerToken, ensureDevApiKey, globToRegExp, hashApiKey, loadApiKeys } from '../../../src/api/keys';
import { isHalflifeError, type InvalidConfigError } from '../../../src/errors';

const key = 'k-0123456789abcdef';

function parseError(json: string): InvalidConfigError {
  try {
    ApiKeys.parse(json);
  } catch (err) {
    expect(isHalflifeError(err, 'InvalidConfigError')).toBe(true);
    return err as InvalidConfigError;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('ApiKeys.parse', () => {
  it('accepts the documented shape, a list of globs, and an optional name', () => {
    const keys = ApiKeys.parse(JSON.stringify([
      { key, scopes: ['read'], credentials: 'team-*' },
      { key: `${key}-2`, scopes: ['admin', 'read'], credentials: ['a.*', 'b-?'], name: 'ops' },
    ]));
    expect(keys.size).toBe(2);
    expect(keys.authenticate(`Bearer ${key}-2`)).toMatchObject({ name: 'ops', credentials: ['a.*', 'b-?'] });
    expect(keys.authenticate(`Bearer ${key}`)).toMatchObject({ name: 'key[0]', scopes: ['read'] });
  });

  it.each([
    ['not json', 'HALFLIFE_API_KEYS', /not valid JSON/],
    ['{}', 'HALFLIFE_API_KEYS', /array/],
    ['[]', 'HALFLIFE_API_KEYS', /at least one key/],
    [JSON.stringify([{ scopes: ['read'], credentials: '*' }]), 'HALFLIFE_API_KEYS[0].key', /string/],
    [JSON.stringify([{ key: 'short', scopes: ['read'], credentials: '*' }]), 'HALFLIFE_API_KEYS[0].key', /16/],
    [JSON.stringify([{ key: `${key} x`, scopes: ['read'], credentials: '*' }]), 'HALFLIFE_API_KEYS[0].key', /letters/],
    [JSON.stringify([{ key, scopes: [], credentials: '*' }]), 'HALFLIFE_API_KEYS[0].scopes', /at least one/],
    [JSON.stringify([{ key, scopes: ['read', 'write'], credentials: '*' }]), 'HALFLIFE_API_KEYS[0].scopes[1]', /read|admin/],
    [JSON.stringify([{ key, scopes: ['read'] }]), 'HALFLIFE_API_KEYS[0].credentials', /glob/],
    [JSON.stringify([{ key, scopes: ['read'], credentials: 'a/b' }]), 'HALFLIFE_API_KEYS[0].credentials', /glob/],
    [JSON.stringify([{ key, scopes: ['read'], credentials: ['a', 'x y'] }]), 'HALFLIFE_API_KEYS[0].credentials[1]', /glob/],
    [JSON.stringify([{ key, scopes: ['read'], credentials: '*', scope: 'x' }]), 'HALFLIFE_API_KEYS[0].scope', /Unrecognized/],
    [JSON.stringify([{ key, scopes: ['read'], credentials: '*' }, { key, scopes: ['admin'], credentials: '*' }]), 'HALFLIFE_API_KEYS[1].key', /twice/],
  ])('rejects %s naming %s', (json, field, reason) => {
    const err = parseError(json);
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
  });

  it('never echoes a key in an error', () => {
    const secretKey = 'super-secret-key-value-123456';
    for (const json of [
      JSON.stringify([{ key: secretKey, scopes: ['nope'], credentials: '*' }]),
      JSON.stringify([{ key: `${secretKey} `, scopes: ['read'], credentials: '*' }]),
      `[{"key": "${secretKey}", oops}]`,
    ]) {
      expect(parseError(json).message).not.toContain('super-secret');
    }
  });

  it('names the source it was given (HALFLIFE_API_KEYS_FILE)', () => {
    expect(() => ApiKeys.parse('[1]', 'HALFLIFE_API_KEYS_FILE')).toThrow(/HALFLIFE_API_KEYS_FILE\[0\]/);
  });
});

describe('authentication', () => {
  const keys = ApiKeys.of([
    { key, scopes: ['read'], credentials: '*' },
    { key: `${key}-admin`, scopes: ['admin'], credentials: '*' },
  ]);

  it('keeps only SHA-256 hashes of the keys', () => {
    expect(hashApiKey(key).equals(crypto.createHash('sha256').update(key).digest())).toBe(true);
    const inMemory = JSON.stringify(keys);
    expect(inMemory).not.toContain(key);
    expect(inMemory).not.toContain(JSON.stringify([...Buffer.from(key)]).slice(1, -1));
    expect(inMemory).toContain(JSON.stringify([...hashApiKey(key)]).slice(1, -1));
  });

  it('compares hashes with timingSafeEqual against every key, without stopping at a match', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(keys.authenticate(`Bearer ${key}`)?.name).toBe('key[0]');
      expect(spy).toHaveBeenCalledTimes(2);
      spy.mockClear();
      expect(keys.authenticate('Bearer unknown-key-0123456789')).toBeUndefined();
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads only well-formed Bearer headers', () => {
    expect(bearerToken(`Bearer ${key}`)).toBe(key);
    expect(bearerToken(`bearer  ${key}`)).toBe(key);
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(`Basic ${key}`)).toBeUndefined();
    expect(bearerToken(`Bearer ${key} extra`)).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(keys.authenticate(key)).toBeUndefined();
    expect(keys.authenticate(`Bearer ${key.toUpperCase()}`)).toBeUndefined();
  });
});

describe('globs', () => {
  it.each([
    ['*', 'anything.at-all', true],
    ['team-*', 'team-a.one', true],
    ['team-*', 'teamx', false],
    ['team-?', 'team-a', true],
    ['team-?', 'team-ab', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['*.prod', 'billing.prod', true],
    ['*.prod', 'billing.prod.eu', false],
    ['exact', 'exact-not', false],
  ])('%s against %s → %s', (glob, id, expected) => {
    expect(globToRegExp(glob).test(id)).toBe(expected);
  });
});

describe('scopes', () => {
  const keys = ApiKeys.of([
    { key: `${key}-r`, scopes: ['read'], credentials: 'a-*' },
    { key: `${key}-f`, scopes: ['refresh'], credentials: ['a-*', 'b-1'] },
    { key: `${key}-a`, scopes: ['admin'], credentials: '*' },
  ]);
  const [read, refresh, admin] = ['r', 'f', 'a'].map((s) => {
    const k = keys.authenticate(`Bearer ${key}-${s}`);
    if (!k) throw new Error('key missing');
    return k;
  }) as [NonNullable<ReturnType<ApiKeys['authenticate']>>, NonNullable<ReturnType<ApiKeys['authenticate']>>, NonNullable<ReturnType<ApiKeys['authenticate']>>];

  it('admin implies refresh implies read', () => {
    expect([keys.allows(read, 'read'), keys.allows(read, 'refresh'), keys.allows(read, 'admin')]).toEqual([true, false, false]);
    expect([keys.allows(refresh, 'read'), keys.allows(refresh, 'refresh'), keys.allows(refresh, 'admin')]).toEqual([true, true, false]);
    expect([keys.allows(admin, 'read'), keys.allows(admin, 'refresh'), keys.allows(admin, 'admin')]).toEqual([true, true, true]);
  });

  it('checks the credential id against the key globs', () => {
    expect(keys.allows(read, 'read', 'a-1')).toBe(true);
    expect(keys.allows(read, 'read', 'b-1')).toBe(false);
    expect(keys.allows(refresh, 'refresh', 'b-1')).toBe(true);
    expect(keys.allows(refresh, 'refresh', 'b-2')).toBe(false);
    expect(keys.allows(admin, 'admin', 'anything')).toBe(true);
  });

  it('allowsAll needs a match-everything glob', () => {
    expect(keys.allowsAll(admin, 'read')).toBe(true);
    expect(keys.allowsAll(read, 'read')).toBe(false);
  });

  it('does not accept a key object from another key set', () => {
    const other = ApiKeys.of([{ key: `${key}-a`, scopes: ['admin'], credentials: '*' }]);
    const foreign = other.authenticate(`Bearer ${key}-a`);
    expect(foreign && keys.allows(foreign, 'read')).toBe(false);
  });
});

describe('development key', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-keys-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created once, private, and reused', () => {
    const first = ensureDevApiKey(dir);
    expect(first.created).toBe(true);
    expect(first.file).toBe(path.join(dir, 'api-key'));
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const second = ensureDevApiKey(dir);
    expect(second).toEqual({ ...first, created: false });
    expect(fs.readdirSync(dir)).toEqual(['api-key']);
  });

  it('refuses a file that does not hold a key', () => {
    fs.writeFileSync(path.join(dir, 'api-key'), 'short\n');
    expect(() => ensureDevApiKey(dir)).toThrow(/does not hold a valid API key/);
  });

  it('loadApiKeys: configured keys win; development falls back to an admin key; production refuses', () => {
    const configured = loadApiKeys({ json: JSON.stringify([{ key, scopes: ['read'], credentials: '*' }]), production: true, stateDir: dir });
    expect(configured.devKey).toBeUndefined();
    expect(configured.keys.size).toBe(1);

    const dev = loadApiKeys({ production: false, stateDir: dir });
    const devKey = dev.devKey?.key ?? '';
    const admin = dev.keys.authenticate(`Bearer ${devKey}`);
    expect(admin && dev.keys.allowsAll(admin, 'admin')).toBe(true);

    expect(() => loadApiKeys({ production: true, stateDir: dir })).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'HALFLIFE_API_KEYS' }));
  });
});
