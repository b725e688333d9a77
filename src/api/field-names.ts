/**
 * What `error.field` may show. A field the API knows (a body field of any provider, a query
 * parameter, `id`, `body`...) is shown as it is. A name the client made up is shown only as a
 * short, safe prefix: at most `shownPrefixLength` characters of `a-z`, `0-9` and `_`, cut at the
 * first other character and followed by `…` when anything was cut, because a client may send a
 * secret as a field name (`{ "<client secret>": 1 }`, `?<token>=1`) and answers and logs must not
 * carry it. A name with no safe prefix at all is shown as the container (`body`, `query`).
 */

/** Longest prefix of an unknown field name an answer shows. */
export const shownPrefixLength = 8;

/** The safe prefix of a client-made name (see the module comment), or undefined when it has none. */
export function safePrefix(name: string): string | undefined {
  let prefix = '';
  for (const ch of name) {
    if (prefix.length >= shownPrefixLength || !/^[a-z0-9_]$/.test(ch)) break;
    prefix += ch;
  }
  if (prefix === '') return undefined;
  return prefix === name ? prefix : `${prefix}…`;
}

/** `name` as names are compared for spelling variants: lower case, without `_` and `-`. */
const compact = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');

/** True when `name` is a known name, or another spelling of one (`clientSecret` for `client_secret`): then it cannot be a secret. */
function isKnownSpelling(name: string, known: ReadonlySet<string>): boolean {
  if (known.has(name)) return true;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return false;
  const wanted = compact(name);
  for (const candidate of known) if (compact(candidate) === wanted) return true;
  return false;
}

/**
 * `field` as an answer may show it: each dotted segment that is a known name (or a spelling
 * variant of one, or an array index) is kept; the first unknown one is replaced by its safe
 * prefix and ends the path. `container` stands in when nothing at all can be shown.
 */
export function shownField(field: string, known: ReadonlySet<string>, container = 'body'): string {
  const shown: string[] = [];
  for (const segment of field.split('.')) {
    if (isKnownSpelling(segment, known) || /^(0|[1-9][0-9]{0,5})$/.test(segment)) {
      shown.push(segment);
      continue;
    }
    const prefix = safePrefix(segment);
    if (prefix !== undefined) shown.push(prefix);
    break;
  }
  return shown.length > 0 ? shown.join('.') : container;
}
