/**
 * Canonical outbound URLs: parsed with the WHATWG URL parser and accepted only when the text
 * as written is already what the parser produces, apart from the case of the scheme and host,
 * an explicit default port, and an empty path (`https://a.example` is `https://a.example/`).
 * Everything else that normalisation would change (surrounding spaces, tabs, `http:/x`,
 * backslashes, `0x7f.0.0.1`, percent-encoded hosts, dot segments) is refused, so what is stored,
 * shown and called is the same text. Control, bidi and invisible characters are refused first.
 *
 * Also the secret-looking query check (`?client_secret=...`) and its redaction for display.
 */
import { asciiLower } from './names';

/** Longest outbound URL accepted (2048 characters). */
export const maxUrlLength = 2048;

/** Bidirectional-text controls (Trojan Source characters). */
const bidiControls = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

/** Control (Cc), format (Cf) and line/paragraph separator characters. */
const invisible = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u;

/** Default port of each special scheme that has one. */
const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };

/** The reason `text` contains a forbidden character (naming its code point), or undefined. */
function forbiddenCharacter(text: string): string | undefined {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const point = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `must not contain a control character (${point})`;
    if (bidiControls.has(code)) return `must not contain a bidirectional-text control character (${point})`;
    if (invisible.test(ch)) return `must not contain an invisible formatting character (${point})`;
  }
  return undefined;
}

/** Index of the first of `delimiters` in `text`, or its length. */
function firstIndex(text: string, delimiters: readonly string[]): number {
  const found = delimiters.map((d) => text.indexOf(d)).filter((i) => i >= 0);
  return found.length === 0 ? text.length : Math.min(...found);
}

/** Names the part of `input` that the parser changed into `url`, or undefined when none did. */
function changedPart(input: string, url: URL): string | undefined {
  const colon = input.indexOf(':');
  if (asciiLower(input.slice(0, colon + 1)) !== url.protocol) return 'the scheme';
  const rest = input.slice(colon + 1);
  const hrefRest = url.href.slice(url.protocol.length);
  if (!rest.startsWith('//')) {
    if (url.host !== '' || hrefRest.startsWith('//')) return 'the "//" after the scheme';
    return rest === hrefRest ? undefined : 'the path';
  }
  const afterSlashes = rest.slice(2);
  const end = firstIndex(afterSlashes, ['/', '?', '#']);
  const authority = afterSlashes.slice(0, end);
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const host = authority.slice(at + 1);
  const expectedUserinfo = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  if (userinfo !== expectedUserinfo) return 'the user name or password';
  const defaultPort = defaultPorts[url.protocol];
  const hosts = [url.host, ...(url.port === '' && defaultPort ? [`${url.hostname}:${defaultPort}`] : [])];
  if (!hosts.includes(host) && !hosts.includes(asciiLower(host))) return 'the host or port';
  const tail = afterSlashes.slice(end);
  const hrefTail = hrefRest.slice(2 + expectedUserinfo.length + url.host.length);
  const special = defaultPort !== undefined || url.protocol === 'file:';
  if (tail === hrefTail || (special && (tail === '' || tail.startsWith('?') || tail.startsWith('#')) && `/${tail}` === hrefTail)) return undefined;
  return 'the path, query or fragment';
}

/**
 * Parses `input` with the WHATWG URL parser and returns its canonical text, or the reason it is
 * refused (not absolute, too long, forbidden characters, or changed by normalisation).
 */
export function canonicalUrl(input: string): { url: string } | { problem: string } {
  if (input.length > maxUrlLength) return { problem: `must be at most ${maxUrlLength} characters` };
  const bad = forbiddenCharacter(input);
  if (bad) return { problem: bad };
  if (input !== input.trim()) return { problem: 'must not start or end with white space' };
  if (input.includes('\\')) return { problem: 'must not contain a backslash' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  const part = changedPart(input, url);
  if (part) return { problem: `must be written in canonical form: URL normalisation changes ${part}` };
  if (url.hostname.endsWith('.')) return { problem: 'must not end its host name with a dot' };
  return { url: url.href };
}

/** Parameter names (lower-case, letters and digits only) that hold secrets wherever they appear. */
const secretNameParts = ['secret', 'password', 'passwd', 'passphrase', 'token', 'apikey', 'accesskey', 'privatekey', 'signature', 'assertion', 'credential', 'bearer', 'session'];
/** Parameter names (lower-case, letters and digits only) that hold secrets when they are the whole name. */
const secretNames = new Set(['auth', 'authorization', 'pass', 'pwd', 'key', 'sig', 'code', 'jwt', 'otp']);
/** Prefixes of well-known secret formats (GitHub, GitLab, Slack, Stripe/OpenAI, AWS). */
const secretPrefixes = ['ghp_', 'gho_', 'ghs_', 'github_pat_', 'glpat-', 'xoxb-', 'xoxp-', 'sk_live_', 'sk-', 'AKIA'];

/** True when a query parameter name says it carries a secret. */
function secretName(name: string): boolean {
  const compact = [...asciiLower(name)].filter((ch) => (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')).join('');
  return secretNames.has(compact) || secretNameParts.some((part) => compact.includes(part));
}

/** True when a value looks like a token or key: a JWT, a known secret prefix, long hex, or long mixed-case base64. */
function secretValue(value: string): boolean {
  const chars = [...value];
  const base64ish = chars.every((ch) => /^[A-Za-z0-9\-_.~+/=]$/.test(ch));
  if (!base64ish || value.length < 16) return false;
  if (value.startsWith('eyJ') && value.split('.').length === 3) return true;
  if (secretPrefixes.some((prefix) => value.startsWith(prefix))) return true;
  if (value.length >= 32 && chars.every((ch) => /^[0-9a-fA-F]$/.test(ch))) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  return value.length >= 20 && classes === 3;
}

/** Positions (1-based) and reasons of the query parameters of `url` that look like secrets. */
function secretParameters(url: URL): { index: number; reason: string }[] {
  const found: { index: number; reason: string }[] = [];
  let index = 0;
  for (const [name, value] of url.searchParams) {
    index += 1;
    if (secretName(name) || secretValue(name)) found.push({ index, reason: `query parameter ${index} has a name that looks like a secret or says it holds one` });
    else if (secretValue(value)) found.push({ index, reason: `the value of query parameter ${index} looks like a secret` });
  }
  return found;
}

/**
 * The reason `url`'s query looks like it carries a secret (`?client_secret=...`, a JWT, a long
 * key), or undefined. Parameters are named by position only: their text may be the secret.
 */
export function queryProblem(url: string | URL): string | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined; // not a URL: the URL rules report it
  }
  const first = secretParameters(parsed)[0];
  return first ? `${first.reason} (secrets belong in the credential's secret fields, not in the URL)` : undefined;
}

/** `url` with the value of every secret-looking query parameter replaced by `***`, for display. */
export function redactSecretQuery(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const secret = new Set(secretParameters(parsed).map((p) => p.index));
  if (secret.size === 0) return url;
  const kept = [...parsed.searchParams].map(([name, value], i) => [name, secret.has(i + 1) ? '***' : value] as [string, string]);
  parsed.search = new URLSearchParams(kept).toString();
  return parsed.href;
}
