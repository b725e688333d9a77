/**
 * The service logger (pino). Secrets are kept out of every line, so a careless log call cannot
 * print a refresh token, access token, client secret, key ring or API key:
 *
 * - Fields whose names are secrets (`secretFieldNames` of `./secrets`, compared case-insensitively with `_` and `-`
 *   removed, so `refreshToken`, `refresh_token` and `REFRESH-TOKEN` all match) are replaced by
 *   `[redacted]` at any depth, inside arrays, in child logger bindings, and in the own properties
 *   and causes of errors. A field named `token` is redacted when it holds a string (an access
 *   token) and walked when it holds an object (a token set, whose expiry and version stay visible).
 * - Text (messages, string fields, error messages and stacks) is scrubbed of secrets in the shapes
 *   they leak in: `Authorization: Bearer …`/`Basic …` values, `secret=…`-style URL query and form
 *   parameters, `"access_token":"…"`-style JSON members, PEM private key blocks and signed JWTs
 *   (`eyJ….eyJ….…`: assertions, app JWTs, id_tokens).
 *
 * The caller's objects are never modified: the logger works on copies. Only plain objects, arrays
 * and errors are walked, and instances with a `toJSON` (a key ring's summary) through what it
 * returns; other instances (requests, sockets) are left to pino's serializers. Secrets that appear in free text without a recognisable shape
 * cannot be found by a logger: code must not build such text (providers scrub what they know).
 */
import pino, { type Logger } from 'pino';
import { camelCase } from './providers/config-fields';
import { isSecretField, secretFieldNames, secretWhenStringFieldNames } from './secrets/names';

/** What a redacted value becomes. */
export const logCensor = '[redacted]';

const maxDepth = 32;

/** A regex alternation of names, each matching with `_`, `-` or nothing between its words, longest first. */
function namePattern(names: readonly string[]): string {
  return [...names]
    .sort((x, y) => y.length - x.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '[_-]?'))
    .join('|');
}

/** Names (URL query and form parameters, JSON members) whose string values are secrets. */
const parameterNames = namePattern([...secretFieldNames, ...secretWhenStringFieldNames]);

/** Patterns that also work on serialized JSON lines (values stop at quotes and backslashes). */
const linePatterns: ReadonlyArray<readonly [RegExp, string]> = [
  // A PEM private key block (raw, or with its newlines escaped in a JSON line), and a signed JWT.
  [/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]*?-----END ([A-Z]+ )?PRIVATE KEY-----/g, logCensor],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g, logCensor],
  [/\b([Bb]earer|[Bb]asic|[Dd]igest)(\s+)[A-Za-z0-9._~+/-]{8,}=*/g, `$1$2${logCensor}`],
  [new RegExp(`(?<![A-Za-z0-9_])(${parameterNames})=(?!\\[redacted\\])[^&\\s"'#;,\\\\]+`, 'gi'), `$1=${logCensor}`],
];
/** Patterns for text before serialization: also JSON members inside a message. */
const textPatterns: ReadonlyArray<readonly [RegExp, string]> = [
  ...linePatterns,
  [new RegExp(`("(?:${parameterNames})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${logCensor}"`],
];

/** `text` with secrets in recognisable shapes (headers, parameters, JSON members) replaced by `[redacted]`. */
export function scrubLogText(text: string): string {
  return textPatterns.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `value` with secret fields redacted and text scrubbed (see the module comment). */
export function scrubLogValue(value: unknown, depth = 0, seen: WeakMap<object, unknown> = new WeakMap()): unknown {
  if (typeof value === 'string') return scrubLogText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value) ?? '[circular]';
  if (depth >= maxDepth) return '[too deep]';
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(scrubLogValue(item, depth + 1, seen));
    return out;
  }
  if (value instanceof Error) return scrubError(value, depth, seen);
  if (!isPlainObject(value)) {
    // What JSON.stringify would print (a key ring's summary, a date), then walked like the rest.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    return typeof toJSON === 'function' ? scrubLogValue(toJSON.call(value), depth + 1, seen) : value;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretField(key, item) ? logCensor : scrubLogValue(item, depth + 1, seen);
  }
  return out;
}

/** A clone of an error (same prototype, so serializers still see an error) with scrubbed text and properties. */
function scrubError(err: Error, depth: number, seen: WeakMap<object, unknown>): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  seen.set(err, copy);
  for (const key of Object.getOwnPropertyNames(err)) {
    const descriptor = Object.getOwnPropertyDescriptor(err, key);
    if (!descriptor || !('value' in descriptor)) continue;
    const raw: unknown = descriptor.value;
    const value = isSecretField(key, raw) ? logCensor : scrubLogValue(raw, depth + 1, seen);
    Object.defineProperty(copy, key, { value, enumerable: descriptor.enumerable, writable: true, configurable: true });
  }
  return copy;
}

/** Creates the service logger; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  // Kept as a second line of defence for instances the walker leaves to pino (depth 4, exact names).
  const names = [...new Set(secretFieldNames.flatMap((f) => [f, camelCase(f)]))];
  const paths = names.filter((f) => /^[A-Za-z_]+$/.test(f)).flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);
  const logger = pino(
    {
      level,
      redact: { paths, censor: logCensor },
      base: { service: 'halflife' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = (args as unknown[]).map((arg) => scrubLogValue(arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
        // Last pass over the finished line: catches secrets assembled by `%s` interpolation.
        streamWrite: (line) => linePatterns.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), line),
      },
    },
    destination,
  );
  // Child bindings: pino applies no formatter to them, so scrub them on the way in (children of
  // children inherit this method through the prototype chain pino builds them with).
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return Reflect.apply(child, this, [scrubLogValue(bindings), options]) as Logger;
  } as unknown as typeof logger.child;
  return logger;
}

export type { Logger } from 'pino';
