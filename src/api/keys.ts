/**
 * API keys of the HTTP API: parsed once from `HALFLIFE_API_KEYS` (a JSON array of
 * `{ "key", "scopes", "credentials", "name"? }`), kept in memory only as SHA-256 hashes, compared
 * in constant time, and checked per scope and per credential id pattern.
 *
 * Scopes imply each other: `admin` ⊃ `refresh` ⊃ `read`. `connect` (create connect links, see
 * docs/connect.md) stands apart: it implies no other scope, and `admin` implies it. `credentials` is a glob (or a list of
 * globs) over credential ids: `*` matches any run of characters, `?` exactly one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidConfigError } from '../errors';
import { credentialGlobPattern, globToRegExp } from '../glob';
import { createFileOnce, ensureStateDir, stateFiles } from '../state-folder';

/** What a key may do: `read` tokens and descriptions, force a `refresh`, `admin` (register, reauthorize, revoke), `connect` (create connect links). */
export type ApiScope = 'read' | 'refresh' | 'admin' | 'connect';

/** Every scope: the ranked ones weakest first, then `connect`. */
export const apiScopes: readonly ApiScope[] = ['read', 'refresh', 'admin', 'connect'];

/** Rank of the scopes that imply each other; `connect` has none (it implies nothing). */
const scopeRank: Readonly<Record<ApiScope, number>> = { read: 1, refresh: 2, admin: 3, connect: 0 };

/** An authenticated key as the server sees it: never the key itself, never its hash. */
export interface ApiKey {
  /** A label for logs (`name` from the configuration, else `key[<index>]`). */
  readonly name: string;
  readonly scopes: readonly ApiScope[];
  /** The credential id globs this key covers. */
  readonly credentials: readonly string[];
}

/** One entry of the key configuration, as written in `HALFLIFE_API_KEYS`. */
export interface ApiKeyConfig {
  key: string;
  scopes: ApiScope[];
  credentials: string | string[];
  name?: string;
}

interface Entry {
  readonly key: ApiKey;
  readonly hash: Buffer;
  readonly patterns: readonly RegExp[];
  readonly rank: number;
}

const glob = z.string().regex(credentialGlobPattern, 'must be a glob of 1-128 letters, digits, ".", "_", "-", "*" or "?"');
const entrySchema = z
  .object({
    // RFC 6750 b64token, so the key can travel in an Authorization header as it is.
    key: z
      .string()
      .min(16, 'must be at least 16 characters')
      .max(512, 'must be at most 512 characters')
      .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may only hold letters, digits and "-._~+/" (then "=" padding)'),
    scopes: z.array(z.enum(apiScopes)).min(1, 'must name at least one scope'),
    credentials: z.union([glob, z.array(glob).min(1, 'must list at least one glob')], { error: 'must be a glob or a list of globs' }),
    name: z.string().regex(/^[A-Za-z0-9 ._:@-]{1,64}$/, 'must be 1-64 letters, digits, spaces or ".", "_", ":", "@", "-"').optional(),
  })
  .strict();
const listSchema = z.array(z.unknown()).min(1, 'must list at least one key');

/** SHA-256 of a key: the only form in which keys are kept. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export { globToRegExp } from '../glob';

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

/** The configured API keys; see the module comment. */
export class ApiKeys {
  private constructor(private readonly entries: readonly Entry[]) {}

  /** Parses the JSON text of `HALFLIFE_API_KEYS`; errors name `<source>[i].field` and never echo a key. */
  static parse(json: string, source = 'HALFLIFE_API_KEYS'): ApiKeys {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new InvalidConfigError(source, 'is not valid JSON (expected an array of { "key", "scopes", "credentials" })');
    }
    const list = listSchema.safeParse(value);
    if (!list.success) throw new InvalidConfigError(source, list.error.issues[0]?.message ?? 'must be an array');
    return ApiKeys.of(list.data as ApiKeyConfig[], source);
  }

  /** Builds the key set from configuration entries (validated like `parse`). */
  static of(configs: readonly ApiKeyConfig[], source = 'HALFLIFE_API_KEYS'): ApiKeys {
    const seen = new Set<string>();
    const entries = configs.map((raw, index): Entry => {
      const parsed = entrySchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : (issue?.path ?? []);
        const field = [`${source}[${index}]`, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('');
        throw new InvalidConfigError(field, issue?.message ?? 'is invalid');
      }
      const c = parsed.data;
      const hash = hashApiKey(c.key);
      const hex = hash.toString('hex');
      if (seen.has(hex)) throw new InvalidConfigError(`${source}[${index}].key`, 'is listed twice');
      seen.add(hex);
      const credentials = typeof c.credentials === 'string' ? [c.credentials] : c.credentials;
      const scopes = [...new Set(c.scopes)];
      return {
        key: Object.freeze({ name: c.name ?? `key[${index}]`, scopes, credentials }),
        hash,
        patterns: credentials.map(globToRegExp),
        rank: Math.max(...scopes.map((s) => scopeRank[s])),
      };
    });
    return new ApiKeys(entries);
  }

  /** How many keys are configured. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The key an `Authorization` header carries, or undefined. The presented key is hashed and
   * compared with every configured hash by `timingSafeEqual`, without stopping at a match.
   */
  authenticate(authorization: string | undefined): ApiKey | undefined {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    const presented = hashApiKey(token);
    let found: ApiKey | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.key;
    }
    return found;
  }

  /** Whether `key` has `scope` (or a stronger one) and, when given, covers `credentialId`. */
  allows(key: ApiKey, scope: ApiScope, credentialId?: string): boolean {
    const entry = this.entryOf(key);
    if (!entry) return false;
    const granted = scope === 'connect' ? entry.rank >= scopeRank.admin || entry.key.scopes.includes('connect') : entry.rank >= scopeRank[scope];
    if (!granted) return false;
    return credentialId === undefined || entry.patterns.some((p) => p.test(credentialId));
  }

  /** Whether `key` has `scope` over every credential (a glob made of `*` only). */
  allowsAll(key: ApiKey, scope: ApiScope): boolean {
    return this.allows(key, scope) && key.credentials.some((g) => /^\*+$/.test(g));
  }

  private entryOf(key: ApiKey): Entry | undefined {
    return this.entries.find((e) => e.key === key);
  }
}

/** File name of the development admin key inside the state folder. */
export const devApiKeyFileName = stateFiles.apiKey;

/** The development admin key and whether this call created it (print it only then). */
export interface DevApiKey {
  key: string;
  file: string;
  created: boolean;
}

/** Creates once (0600, race-free, in a 0700 state folder) and reads the development admin key in `<stateDir>/api-key`. */
export function ensureDevApiKey(stateDir: string): DevApiKey {
  const file = join(ensureStateDir(stateDir), devApiKeyFileName);
  const created = createFileOnce(file, `hl_dev_${randomBytes(32).toString('base64url')}\n`);
  const key = readFileSync(file, 'utf8').trim();
  if (!entrySchema.shape.key.safeParse(key).success) {
    throw new InvalidConfigError(file, 'does not hold a valid API key; delete it and a new one is generated');
  }
  return { key, file, created };
}

/** Options of `loadApiKeys`. */
export interface LoadApiKeysOptions {
  /** `HALFLIFE_API_KEYS` or the contents of `HALFLIFE_API_KEYS_FILE` (`HalflifeConfig.apiKeysJson`). */
  json?: string;
  /** `NODE_ENV=production`: keys are then required. */
  production: boolean;
  /** Where the development key lives (the git-ignored state folder). */
  stateDir: string;
  /** The variable `json` came from, for error messages. @default 'HALFLIFE_API_KEYS' */
  source?: string;
}

/** The API's keys: the configured ones, else (development only) the generated admin key. */
export function loadApiKeys(options: LoadApiKeysOptions): { keys: ApiKeys; devKey?: DevApiKey } {
  if (options.json !== undefined) return { keys: ApiKeys.parse(options.json, options.source) };
  if (options.production) throw new InvalidConfigError('HALFLIFE_API_KEYS', 'is required when NODE_ENV=production');
  const devKey = ensureDevApiKey(options.stateDir);
  return { keys: ApiKeys.of([{ key: devKey.key, scopes: ['admin'], credentials: '*', name: 'dev-admin' }]), devKey };
}
