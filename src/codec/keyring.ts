/**
 * The encryption key ring: named AES-256 keys parsed from `HALFLIFE_ENCRYPTION_KEYS`
 * (`k2:<base64>,k1:<base64>`). The first key encrypts; every key decrypts, so a key can be
 * rotated by putting a new one first and dropping the old one once no payload needs it.
 *
 * No error message ever contains key material: entries are named by id (once the id is known
 * to be valid) or by position.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigError } from '../errors';
import { createFileOnce, ensureStateDir, stateFiles } from '../state-folder';

/** The environment variable that holds the key ring. */
export const encryptionKeysVariable = 'HALFLIFE_ENCRYPTION_KEYS';

/** Name of the development key file inside the state folder. */
export const devKeyFileName = stateFiles.encryptionKeys;

/** Bytes in an AES-256 key. */
export const keyLength = 32;

const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64UrlPattern = /^[A-Za-z0-9_-]*$/;

/** An ordered set of named keys; the first encrypts, all decrypt. */
export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #encryptionKeyId: string;

  /** Builds a ring from `[id, key]` pairs; the first pair encrypts. Use `parseKeyring` for configuration text. */
  constructor(entries: ReadonlyArray<readonly [string, Buffer]>) {
    const first = entries[0];
    if (!first) throw new InvalidConfigError(encryptionKeysVariable, 'needs at least one key');
    for (const [id, key] of entries) {
      if (key.length !== keyLength) {
        throw new InvalidConfigError(encryptionKeysVariable, `key '${id}' is ${key.length} bytes; AES-256 needs exactly ${keyLength}`);
      }
    }
    this.#keys = new Map(entries.map(([id, key]) => [id, Buffer.from(key)]));
    this.#encryptionKeyId = first[0];
  }

  /** The id of the key new payloads are encrypted with. */
  get encryptionKeyId(): string {
    return this.#encryptionKeyId;
  }

  /** Every key id, the encrypting one first. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** The key with that id, or undefined when the ring does not hold it. */
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  /** Printable summary without key material (also what `JSON.stringify` shows). */
  toJSON(): { encryptionKeyId: string; keyIds: readonly string[] } {
    return { encryptionKeyId: this.encryptionKeyId, keyIds: this.keyIds };
  }
}

/** Parses `id:<base64>,id:<base64>`; `field` names the source in errors (the variable or a file). */
export function parseKeyring(text: string, field: string = encryptionKeysVariable): Keyring {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidConfigError(field, 'is empty; it needs at least one key (id:<base64 of 32 bytes>)');
  const entries: Array<[string, Buffer]> = [];
  trimmed.split(',').forEach((raw, index) => {
    const position = `entry ${index + 1}`;
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    if (entry === '') throw new InvalidConfigError(field, `${position} is empty`);
    if (colon < 0) throw new InvalidConfigError(field, `${position} is not of the form <id>:<base64 key>`);
    const id = entry.slice(0, colon);
    if (!keyIdPattern.test(id)) {
      throw new InvalidConfigError(field, `${position} has an invalid key id (allowed: 1-32 of A-Z a-z 0-9 _ -)`);
    }
    if (entries.some(([seen]) => seen === id)) throw new InvalidConfigError(field, `key id '${id}' appears more than once`);
    entries.push([id, decodeKey(entry.slice(colon + 1), id, field)]);
  });
  return new Keyring(entries);
}

function decodeKey(encoded: string, id: string, field: string): Buffer {
  const isBase64 = encoded.length % 4 === 0 && base64Pattern.test(encoded);
  if (!isBase64 && !base64UrlPattern.test(encoded)) {
    throw new InvalidConfigError(field, `key '${id}' is not valid base64`);
  }
  const key = Buffer.from(encoded, isBase64 ? 'base64' : 'base64url');
  if (key.length !== keyLength) {
    throw new InvalidConfigError(field, `key '${id}' is ${key.length} bytes after base64 decoding; AES-256 needs exactly ${keyLength}`);
  }
  return key;
}

/** A new key ring entry `id:<base64 of 32 random bytes>`, for operators to put in `HALFLIFE_ENCRYPTION_KEYS`. */
export function generateKey(id: string): string {
  if (!keyIdPattern.test(id)) throw new InvalidConfigError('id', 'a key id is 1-32 of A-Z a-z 0-9 _ -');
  return `${id}:${randomBytes(keyLength).toString('base64')}`;
}

/**
 * Reads the development key ring from `<stateDir>/encryption-keys`, creating it (mode 0600, in a
 * 0700 folder, with one fresh key `dev1`) the first time. Only for development, when
 * `HALFLIFE_ENCRYPTION_KEYS` is unset. Synchronous: it runs once at start-up, before anything else needs the ring.
 */
export function loadOrCreateDevKeyring(stateDir: string): Keyring {
  const file = join(ensureStateDir(stateDir), devKeyFileName);
  createFileOnce(file, `${generateKey('dev1')}\n`);
  return parseKeyring(readFileSync(file, 'utf8'), file);
}
