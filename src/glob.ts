/**
 * Globs over credential ids, as API keys (`credentials`) and webhook subscriptions use them: `*`
 * matches any run of characters, `?` exactly one, everything else itself. One home for the
 * syntax, so a key and a subscription with the same glob cover the same credentials.
 */

/** What a credential glob may be written with: 1-128 letters, digits, ".", "_", "-", "*" or "?". */
export const credentialGlobPattern = /^[A-Za-z0-9._*?-]{1,128}$/;

/** A glob over credential ids as an anchored regular expression (`*` any run, `?` one character). */
export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\\^$+()[\]{}|-]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}
