/**
 * Operator entries of `HALFLIFE_EGRESS_ALLOW` / `HALFLIFE_EGRESS_DENY`: comma-separated CIDRs
 * (`10.0.0.0/8`, `fd00::/8`), single addresses (`10.1.2.3`, `::1`) and host patterns
 * (`vault.internal.example.com`, `*.internal.example.com`). Parsing is strict so a typo is an
 * error at start-up, not a silently wider or narrower policy.
 */
import ipaddr from 'ipaddr.js';
import { InvalidConfigError } from '../errors';
import { parseIpLiteral, type IpAddress } from './address';
import { hostPattern, type HostPattern } from './names';

/** One parsed entry: an address range, or a host pattern. */
export type EgressEntry =
  | { readonly kind: 'cidr'; readonly text: string; readonly range: [IpAddress, number] }
  | { readonly kind: 'host'; readonly text: string; readonly pattern: HostPattern };

/** Characters that never belong in a host pattern (URL delimiters, escapes, wildcards past the prefix). */
const forbiddenInHost = ['/', '\\', '?', '#', '@', ':', '[', ']', '%', '*', ' '];

/** Parses a strict address (dotted-decimal IPv4, or IPv6 without brackets or zone). */
function strictAddress(text: string): IpAddress | undefined {
  if (text.startsWith('[') || text.includes('%')) return undefined;
  return parseIpLiteral(text);
}

/** Parses `address/prefix`, refusing host bits set past the prefix. */
function parseCidr(text: string): EgressEntry | string {
  const slash = text.indexOf('/');
  const address = strictAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address) return 'is not a CIDR: the part before "/" must be a dotted-decimal IPv4 or an IPv6 address';
  const max = address.kind() === 'ipv4' ? 32 : 128;
  const digits = [...prefixText].every((ch) => ch >= '0' && ch <= '9');
  const prefix = Number(prefixText);
  const leadingZero = prefixText.length > 1 && prefixText.startsWith('0');
  if (prefixText === '' || prefixText.length > 3 || !digits || leadingZero || prefix > max) return `has a prefix length that is not a number from 0 to ${max}`;
  const network =
    address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  if (network.toString() !== address.toString()) return `has bits set past its prefix length (the network is ${network.toString()}/${prefix})`;
  return { kind: 'cidr', text, range: [address, prefix] };
}

/** Parses `name` or `*.name`, validated and canonicalised by the WHATWG URL host parser. */
function parseHostPattern(text: string): EgressEntry | string {
  const subdomains = text.startsWith('*.');
  const name = subdomains ? text.slice(2) : text;
  if (name === '') return 'is not a host name';
  if (forbiddenInHost.some((ch) => name.includes(ch)) || [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    return 'is not a CIDR, an IP address or a host pattern (a wildcard is allowed only as a leading "*.")';
  }
  if (name.endsWith('.') || name.split('.').includes('')) return 'has an empty label (a leading, doubled or trailing dot)';
  let hostname: string;
  try {
    hostname = new URL(`http://${name}/`).hostname;
  } catch {
    return 'is not a valid host name';
  }
  if (parseIpLiteral(hostname)) {
    return subdomains ? 'puts a wildcard on an IP address' : 'is an IP address in a non-standard spelling (write it in dotted decimal)';
  }
  const canonical = subdomains ? `*.${hostname}` : hostname;
  return { kind: 'host', text: canonical, pattern: hostPattern(canonical) };
}

/** Parses one trimmed entry, or returns the reason it is refused. */
export function parseEgressEntry(text: string): EgressEntry | string {
  if (text.includes('/')) return parseCidr(text);
  const address = strictAddress(text);
  if (address) return { kind: 'cidr', text, range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  return parseHostPattern(text);
}

/** Shows an operator entry in an error: quoted, escaped, at most 80 characters. */
function shown(entry: string): string {
  return JSON.stringify(entry.length > 80 ? `${entry.slice(0, 79)}…` : entry);
}

/**
 * Parses a comma-separated list (empty items are skipped); a bad entry throws an
 * `InvalidConfigError` naming `variable` and the entry.
 */
export function parseEgressList(variable: string, value: string | undefined): EgressEntry[] {
  const entries: EgressEntry[] = [];
  for (const item of (value ?? '').split(',')) {
    const text = item.trim();
    if (text === '') continue;
    const entry = parseEgressEntry(text);
    if (typeof entry === 'string') throw new InvalidConfigError(variable, `entry ${shown(text)} ${entry}`);
    entries.push(entry);
  }
  return entries;
}
