/**
 * Test-owned facts for the egress tests: the denied IPv4/IPv6 ranges written independently of
 * src/egress (so a property test does not check the code against itself), and every way to
 * spell an IPv4 address in a URL host (decimal, hex, octal, short forms, IPv6 embeddings).
 */

/** Denied IPv4 ranges by the list: [network, prefix length, expected rule]. */
export const deniedIPv4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified_address'],
  ['10.0.0.0', 8, 'private_address'],
  ['100.64.0.0', 10, 'cgnat_address'],
  ['127.0.0.0', 8, 'loopback_address'],
  ['169.254.0.0', 16, 'link_local_address'],
  ['172.16.0.0', 12, 'private_address'],
  ['192.0.0.0', 24, 'reserved_address'],
  ['192.0.2.0', 24, 'reserved_address'],
  ['192.88.99.0', 24, 'reserved_address'],
  ['192.168.0.0', 16, 'private_address'],
  ['198.18.0.0', 15, 'reserved_address'],
  ['198.51.100.0', 24, 'reserved_address'],
  ['203.0.113.0', 24, 'reserved_address'],
  ['224.0.0.0', 4, 'multicast_address'],
  ['240.0.0.0', 4, 'reserved_address'],
];

/** Cloud metadata IPv4 addresses (the rule is `metadata_address` even inside a range above). */
export const metadataIPv4 = ['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '168.63.129.16'];

/** Denied IPv6 ranges: [first hextets, prefix length, expected rule]. */
export const deniedIPv6: readonly [number[], number, string][] = [
  [[0xfc00], 7, 'private_address'],
  [[0xfe80], 10, 'link_local_address'],
  [[0xfec0], 10, 'private_address'],
  [[0xff00], 8, 'multicast_address'],
  [[0x2001, 0x0db8], 32, 'reserved_address'],
];

/** The uint32 value of dotted-decimal `a.b.c.d`. */
export function ipv4ToInt(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Dotted decimal of a uint32. */
export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** True when uint32 `n` lies in `network/prefix`. */
export function inRange(n: number, network: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  const start = ipv4ToInt(network);
  return n >= start && n < start + size;
}

/** True when `n` is in any range (or single) the issue says must be denied. */
export function isDeniedIPv4(n: number): boolean {
  return expectedIPv4Rule(n) !== undefined;
}

/** The rule the issue says denies uint32 `n`, or undefined when it is public. */
export function expectedIPv4Rule(n: number): string | undefined {
  if (metadataIPv4.includes(intToIpv4(n))) return 'metadata_address';
  if (n === 0xffffffff) return 'broadcast_address';
  return deniedIPv4.find(([net, prefix]) => inRange(n, net, prefix))?.[2];
}

/** Four hex digits. */
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** One octet in decimal, hex (`0x..`, either case) or octal (`0..`). */
function octet(value: number, style: number): string {
  if (style === 1) return `0x${value.toString(16)}`;
  if (style === 2) return `0X${value.toString(16).toUpperCase()}`;
  if (style === 3) return `0${value.toString(8)}`;
  return String(value);
}

/** Number of spellings `spellIPv4` knows. */
export const ipv4SpellingCount = 14;

/**
 * Spelling number `which` of uint32 `n` as a URL host (IPv6 forms in brackets); `styles` picks
 * per-octet radix for the mixed forms.
 */
export function spellIPv4(n: number, which: number, styles: readonly number[] = [0, 1, 2, 3]): string {
  const o = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff] as const;
  const hi = (n >>> 16) & 0xffff;
  const lo = n & 0xffff;
  switch (which % ipv4SpellingCount) {
    case 0: return o.join('.');
    case 1: return String(n);
    case 2: return `0x${n.toString(16)}`;
    case 3: return `0${n.toString(8)}`;
    case 4: return o.map((v, i) => octet(v, styles[i] ?? 0)).join('.');
    case 5: return `${o[0]}.${o[1]}.${(o[2] << 8) | o[3]}`;
    case 6: return `${o[0]}.${n & 0xffffff}`;
    case 7: return `[::ffff:${hex4(hi)}:${hex4(lo)}]`;
    case 8: return `[::ffff:${o.join('.')}]`;
    case 9: return `[64:ff9b::${hex4(hi)}:${hex4(lo)}]`;
    case 10: return `[2002:${hex4(hi)}:${hex4(lo)}::1]`;
    case 11: return `[::${o.join('.')}]`;
    case 12: return o.map((v) => [...String(v)].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')).join('.');
    default: return `[0:0:0:0:0:FFFF:${hex4(hi).toUpperCase()}:${hex4(lo).toUpperCase()}]`;
  }
}
