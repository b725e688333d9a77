import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generateKey, Keyring, loadOrCreateDevKeyring, parseKeyring } from '../../../src/codec/keyring';
import { isHalflifeError, type InvalidConfigError } from '../../../src/errors';

const b64 = (n: number) => randomBytes(n).toString('base64');

/** Runs `fn`, expects an InvalidConfigError, and returns it. */
function configError(fn: () => unknown): InvalidConfigError {
  try {
    fn();
  } catch (err) {
    expect(isHalflifeError(err, 'InvalidConfigError')).toBe(true);
    return err as InvalidConfigError;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('parseKeyring', () => {
  it('orders keys: the first encrypts, all decrypt', () => {
    const k2 = b64(32);
    const k1 = b64(32);
    const ring = parseKeyring(` k2:${k2}, k1:${k1}\n`);
    expect(ring.encryptionKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k2', 'k1']);
    expect(ring.key('k1')).toEqual(Buffer.from(k1, 'base64'));
    expect(ring.key('k3')).toBeUndefined();
  });

  it('accepts base64url keys', () => {
    const key = randomBytes(32);
    expect(parseKeyring(`a_b-1:${key.toString('base64url')}`).key('a_b-1')).toEqual(key);
  });

  it.each([
    ['', /at least one key/],
    ['   ', /at least one key/],
    [`k1:${b64(32)},`, /entry 2 is empty/],
    [b64(32), /entry 1 is not of the form/],
    [`bad id!:${b64(32)}`, /entry 1 has an invalid key id/],
    [`${'x'.repeat(33)}:${b64(32)}`, /entry 1 has an invalid key id/],
    [`k1:${b64(32)},k1:${b64(32)}`, /key id 'k1' appears more than once/],
    [`k1:${b64(16)}`, /key 'k1' is 16 bytes after base64 decoding; AES-256 needs exactly 32/],
    [`k1:${b64(32)},k0:not*base64`, /key 'k0' is not valid base64/],
  ])('rejects %j naming the variable and the entry', (text, reason) => {
    const err = configError(() => parseKeyring(text));
    expect(err.field).toBe('HALFLIFE_ENCRYPTION_KEYS');
    expect(err.message).toMatch(reason);
  });

  it('never echoes key material in an error', () => {
    const secretKey = b64(31); // wrong length
    const swapped = `${b64(32)}:k1`; // key where the id belongs
    for (const text of [`k1:${secretKey}`, swapped, `k1:${secretKey}extra`]) {
      const err = configError(() => parseKeyring(text));
      for (const part of text.split(/[:,]/).filter((p) => p.length > 8)) {
        expect(err.message).not.toContain(part);
        expect(err.message).not.toContain(part.slice(0, 8));
      }
    }
  });

  it('hides key material from JSON and inspection', () => {
    const key = b64(32);
    const ring = parseKeyring(`k1:${key}`);
    expect(JSON.stringify(ring)).toBe('{"encryptionKeyId":"k1","keyIds":["k1"]}');
    expect(inspect(ring, { depth: 5 })).not.toContain(key);
  });

  it('rejects a ring built from keys of the wrong length', () => {
    expect(() => new Keyring([['k1', randomBytes(16)]])).toThrow(/exactly 32/);
    expect(() => new Keyring([])).toThrow(/at least one key/);
  });
});

describe('generateKey', () => {
  it('makes an entry parseKeyring accepts', () => {
    const entry = generateKey('k9');
    expect(entry).toMatch(/^k9:[A-Za-z0-9+/]{43}=$/);
    expect(parseKeyring(entry).key('k9')).toHaveLength(32);
    expect(generateKey('k9')).not.toBe(entry);
  });

  it('rejects an invalid id', () => {
    expect(() => generateKey('no spaces')).toThrow(/key id/);
  });
});

describe('loadOrCreateDevKeyring', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'halflife-keyring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file once (mode 0600) and reuses it', () => {
    const stateDir = join(dir, 'state');
    const first = loadOrCreateDevKeyring(stateDir);
    const file = join(stateDir, 'encryption-keys');
    const content = readFileSync(file, 'utf8');
    expect(content).toMatch(/^dev1:[A-Za-z0-9+/=]{44}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateDevKeyring(stateDir);
    expect(second.encryptionKeyId).toBe('dev1');
    expect(second.key('dev1')).toEqual(first.key('dev1'));
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('names the file when its content is broken', () => {
    writeFileSync(join(dir, 'encryption-keys'), 'dev1:short');
    const err = configError(() => loadOrCreateDevKeyring(dir));
    expect(err.field).toBe(join(dir, 'encryption-keys'));
  });
});
