/**
 * Outbound URLs an attacker registers, with the rule that must refuse them: cloud metadata and
 * private addresses in every spelling (decimal, hex, octal, short forms, IPv6 embeddings,
 * percent-encoded), metadata and loopback names, Halflife's own and its neighbours' loopback
 * services, and URLs whose text changes under normalisation (spaces, tabs, NUL, bidi controls,
 * `http:/x`, backslashes, user info, odd schemes). The expectations are written here, from the
 * issue's list, not taken from src/egress.
 */
import { expectedIPv4Rule, ipv4SpellingCount, ipv4ToInt, spellIPv4 } from '../unit/egress/spellings';

/** A URL and what registration must answer: the egress rule that refuses it, or `ok`. */
export interface UrlRow {
  url: string;
  /** The rule (or any of the rules) that must refuse it; `ok`: registration must accept it. */
  rules: readonly string[] | 'ok';
  /** What the row stands for, for failure messages. */
  note: string;
}

const imds = '/latest/meta-data/iam/security-credentials/';

/** Denied IPv4 addresses, one or more per rule, including every cloud metadata address. */
const deniedIPv4 = [
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  '100.100.100.200',
  '168.63.129.16',
  '10.0.0.1',
  '10.255.255.254',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '100.64.0.1',
  '0.0.0.0',
  '169.254.1.1',
  '224.0.0.1',
  '255.255.255.255',
  '240.0.0.1',
  '127.0.0.1',
  '127.1.2.3',
];

/** `new URL(text).href`, or undefined when the parser refuses it. */
function parsedHref(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/**
 * Rows for every spelling of every denied IPv4 address: refused either as `non_canonical` (the
 * parser would rewrite it) or by the address's own rule; and the parser's canonical form of each
 * spelling, which must be refused by the address's own rule.
 */
function ipv4Rows(): UrlRow[] {
  const rows: UrlRow[] = [];
  const canonical = new Set<string>();
  for (const address of deniedIPv4) {
    const n = ipv4ToInt(address);
    const rule = expectedIPv4Rule(n);
    if (rule === undefined) throw new Error(`${address} is not in the test's denied table`);
    for (let which = 0; which < ipv4SpellingCount; which += 1) {
      for (const scheme of ['https', 'http']) {
        const url = `${scheme}://${spellIPv4(n, which, [1, 3, 0, 2])}${imds}`;
        rows.push({ url, rules: [rule, 'non_canonical'], note: `${address} spelling ${which}` });
        const href = parsedHref(url);
        if (href !== undefined && !canonical.has(href)) {
          canonical.add(href);
          rows.push({ url: href, rules: [rule], note: `${address} spelling ${which}, canonical` });
        }
      }
    }
  }
  return rows;
}

/** Names, IPv6 literals and loopback services the issue lists. */
const namedRows: UrlRow[] = [
  { url: 'https://metadata.google.internal/computeMetadata/v1/', rules: ['metadata_address'], note: 'GCP metadata name' },
  { url: 'https://METADATA.google.internal/computeMetadata/v1/', rules: ['metadata_address'], note: 'GCP metadata name, upper case' },
  { url: 'https://metadata.google.internal./computeMetadata/v1/', rules: ['non_canonical', 'metadata_address'], note: 'trailing dot' },
  { url: 'https://metadata/computeMetadata/v1/', rules: ['metadata_address'], note: 'bare metadata name' },
  { url: 'https://instance-data/latest/', rules: ['metadata_address'], note: 'EC2 name' },
  { url: 'https://metadata.tencentyun.com/latest/', rules: ['metadata_address'], note: 'Tencent name' },
  { url: 'https://[fd00:ec2::254]/latest/meta-data/', rules: ['metadata_address'], note: 'AWS IMDS IPv6' },
  { url: 'https://[fd00:ec2::23]/', rules: ['metadata_address'], note: 'EKS pod identity IPv6' },
  { url: 'https://[::ffff:a9fe:a9fe]/', rules: ['metadata_address'], note: 'IPv4-mapped metadata' },
  { url: 'https://[fc00::1]/token', rules: ['private_address'], note: 'unique local' },
  { url: 'https://[fd12:3456::1]/token', rules: ['private_address'], note: 'unique local' },
  { url: 'https://[fe80::1]/token', rules: ['link_local_address'], note: 'link-local v6' },
  { url: 'https://[::]/token', rules: ['unspecified_address'], note: 'unspecified v6' },
  { url: 'https://[ff02::1]/token', rules: ['multicast_address'], note: 'multicast v6' },
  { url: 'https://[2001:db8::1]/token', rules: ['reserved_address'], note: 'documentation v6' },
  { url: 'https://[::1]/token', rules: ['loopback_address'], note: 'loopback v6' },
  { url: 'http://localhost:7380/v1/credentials/x/refresh', rules: ['loopback_address'], note: "Halflife's own API" },
  { url: 'http://127.0.0.1:7380/v1/credentials/x/refresh', rules: ['loopback_address'], note: "Halflife's own API" },
  { url: 'http://127.0.0.1:6379/', rules: ['loopback_address'], note: 'Redis' },
  { url: 'http://[::1]:6379/', rules: ['loopback_address'], note: 'Redis over ::1' },
  { url: 'http://127.0.0.1:7233/temporal.api.workflowservice.v1.WorkflowService/', rules: ['loopback_address'], note: 'Temporal gRPC' },
  { url: 'http://127.0.0.1:9090/metrics', rules: ['loopback_address'], note: 'Temporal metrics' },
  { url: 'http://localhost:8233/api/v1/namespaces', rules: ['loopback_address'], note: 'Temporal UI' },
  { url: 'http://evil.localhost/', rules: ['loopback_address'], note: '*.localhost' },
  { url: 'http://a.b.evil.localhost:7380/', rules: ['loopback_address'], note: '*.localhost, deep' },
  { url: 'http://localhost.localdomain/', rules: ['loopback_address'], note: 'Debian alias' },
];

/** Text that changes under WHATWG normalisation, or carries controls: refused by spelling, before any address rule. */
const spellingRows: UrlRow[] = [
  { url: ' https://idp.example.com/token', rules: ['non_canonical'], note: 'leading space' },
  { url: 'https://idp.example.com/token ', rules: ['non_canonical'], note: 'trailing space' },
  { url: '\thttps://idp.example.com/token', rules: ['non_canonical'], note: 'leading tab' },
  { url: 'https://idp.exam\tple.com/token', rules: ['non_canonical'], note: 'tab inside' },
  { url: 'https://idp.example.com/to\nken', rules: ['non_canonical'], note: 'newline' },
  { url: 'https://idp.example.com/\u0000', rules: ['non_canonical'], note: 'NUL' },
  { url: 'https://idp.example.com/\u007f', rules: ['non_canonical'], note: 'DEL' },
  { url: 'https://idp.example.com/\u0085', rules: ['non_canonical'], note: 'C1 control' },
  { url: 'https://idp.example.com/\u202egnp.exe', rules: ['non_canonical'], note: 'right-to-left override' },
  { url: 'https://idp.example.com/\u2066x', rules: ['non_canonical'], note: 'bidi isolate' },
  { url: 'https://idp.example.com/\u200btoken', rules: ['non_canonical'], note: 'zero-width space' },
  { url: 'https://idp.example.com/\ufefftoken', rules: ['non_canonical'], note: 'BOM' },
  { url: 'http:/idp.example.com/token', rules: ['non_canonical'], note: 'http:/ host' },
  { url: 'http:idp.example.com/token', rules: ['non_canonical'], note: 'http: host' },
  { url: 'https:\\\\idp.example.com\\token', rules: ['non_canonical'], note: 'backslashes' },
  { url: 'https://idp.example.com\\@169.254.169.254/', rules: ['non_canonical'], note: 'backslash-at confusion' },
  { url: 'https://idp.example.com:0443/token', rules: ['non_canonical'], note: 'port with a leading zero' },
  { url: 'https://idp.example.com/a/../token', rules: ['non_canonical'], note: 'dot segment' },
  { url: 'https://b\u00fccher.example/token', rules: ['non_canonical'], note: 'Unicode host' },
  { url: 'https://%69dp.example.com/token', rules: ['non_canonical'], note: 'percent-encoded host' },
  { url: 'https://idp.example.com/token with space', rules: ['non_canonical'], note: 'space in path' },
  { url: 'not a url', rules: ['non_canonical'], note: 'not a URL' },
  { url: '/relative/token', rules: ['non_canonical'], note: 'relative' },
  { url: '', rules: ['non_canonical'], note: 'empty' },
  { url: `https://idp.example.com/${'a'.repeat(2100)}`, rules: ['non_canonical'], note: 'over 2048 characters' },
  { url: 'ftp://idp.example.com/token', rules: ['scheme'], note: 'ftp' },
  { url: 'file:///etc/passwd', rules: ['scheme'], note: 'file' },
  { url: 'gopher://127.0.0.1:6379/_FLUSHALL', rules: ['scheme'], note: 'gopher to Redis' },
  { url: 'javascript:alert(1)', rules: ['scheme'], note: 'javascript' },
  { url: 'data:text/plain,x', rules: ['scheme'], note: 'data' },
  { url: 'https://user:pass@idp.example.com/token', rules: ['userinfo'], note: 'user info' },
  { url: 'https://idp.example.com@169.254.169.254/', rules: ['userinfo'], note: 'user info before a metadata address' },
];

/** URLs registration accepts (names are not resolved; the connect-time check refuses what they resolve to). */
export const acceptedUrls: UrlRow[] = [
  { url: 'https://8.8.8.8/token', rules: 'ok', note: 'public IPv4' },
  { url: 'https://[2606:4700:4700::1111]/token', rules: 'ok', note: 'public IPv6' },
  { url: 'https://[::ffff:808:808]/token', rules: 'ok', note: 'IPv4-mapped public' },
  { url: 'https://IDP.Example.COM:443/token', rules: 'ok', note: 'case and default port' },
  { url: 'https://169.254.169.254.nip.io/latest/', rules: 'ok', note: 'a name resolving to metadata (refused at connect time)' },
  { url: 'https://idp.example.com/oauth2/token?api-version=2', rules: 'ok', note: 'a query without secrets' },
];

/** Every URL that registration must refuse, with its rule(s). */
export function refusedUrls(): UrlRow[] {
  return [...ipv4Rows(), ...namedRows, ...spellingRows];
}

/** Token endpoint queries that carry a secret: refused (422 naming the field), never shown back. */
export const secretQueries: readonly string[] = [
  '?client_secret=QmFzZTY0U2VjcmV0VmFsdWUxMjM0NTY',
  '?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVlLTEyMzQ',
  '?password=hunter2hunter2',
  '?key=0123456789abcdef0123456789abcdef',
  '?x=ghp_0123456789abcdefghijABCDEFGHIJ012345',
  '?api_key=AKIAIOSFODNN7EXAMPLE',
];
