/**
 * Default classification of IP addresses: which built-in rule, if any, denies an address.
 *
 * Classification uses ipaddr.js's named ranges (`range()`), never text patterns. IPv6 forms that
 * carry an IPv4 address (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64, 6to4, Teredo) are
 * denied when the address they carry is, so `::ffff:169.254.169.254` is a metadata address.
 * Unknown range names (a newer ipaddr.js) and IPv6 outside 2000::/3 are denied as reserved:
 * the classification fails closed.
 */
import ipaddr from 'ipaddr.js';
import type { DestinationRule } from './rules';

/** A parsed IPv4 or IPv6 address. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Cloud metadata and host-agent addresses: AWS/GCP/Azure/DigitalOcean/OpenStack IMDS, AWS ECS
 * task metadata and EKS pod identity (IPv4 and IPv6), Alibaba Cloud, Azure WireServer.
 */
export const metadataAddresses: readonly string[] = [
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  'fd00:ec2::254',
  'fd00:ec2::23',
  '100.100.100.200',
  '168.63.129.16',
];

const metadata = metadataAddresses.map((text) => ipaddr.parse(text));

/** Rule for each ipaddr.js IPv4 range name; `null` means public. */
const ipv4Ranges: Record<string, DestinationRule | null> = {
  unicast: null,
  as112: null,
  amt: null,
  unspecified: 'unspecified_address',
  broadcast: 'broadcast_address',
  multicast: 'multicast_address',
  linkLocal: 'link_local_address',
  loopback: 'loopback_address',
  carrierGradeNat: 'cgnat_address',
  private: 'private_address',
  reserved: 'reserved_address',
};

/** Rule for each ipaddr.js IPv6 range name that carries no IPv4 address; `null` means public. */
const ipv6Ranges: Record<string, DestinationRule | null> = {
  unicast: null,
  as112v6: null,
  amt: null,
  unspecified: 'unspecified_address',
  linkLocal: 'link_local_address',
  multicast: 'multicast_address',
  loopback: 'loopback_address',
  uniqueLocal: 'private_address',
  deprecatedSiteLocal: 'private_address',
};

/** Builds an IPv4 address from two 16-bit IPv6 parts. */
function fromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** True for the deprecated IPv4-compatible form `::a.b.c.d` (::/96 except `::` and `::1`). */
function isIPv4Compatible(address: ipaddr.IPv6): boolean {
  const p = address.parts;
  return p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || (p[7] ?? 0) > 1);
}

/**
 * The IPv4 addresses an IPv6 address carries, and whether the IPv6 form is itself routable to
 * them (`public`: a public embedded address makes the whole address public).
 */
export function embeddedIPv4(address: ipaddr.IPv6): { addresses: ipaddr.IPv4[]; public: boolean } | undefined {
  const p = address.parts.map((part) => part ?? 0);
  const tail = fromParts(p[6] ?? 0, p[7] ?? 0);
  switch (address.range()) {
    case 'ipv4Mapped':
      return { addresses: [address.toIPv4Address()], public: true };
    case 'rfc6145':
      return { addresses: [tail], public: true };
    case 'rfc6052':
      // 64:ff9b::/96 embeds the address in its last 32 bits; 64:ff9b:1::/48 (local use) may
      // embed it anywhere, so it is reserved as a whole.
      return p[2] === 0 ? { addresses: [tail], public: true } : undefined;
    case '6to4':
      return { addresses: [fromParts(p[1] ?? 0, p[2] ?? 0)], public: true };
    case 'teredo':
      // Server in bits 32-63, client (obfuscated by inverting every bit) in bits 96-127.
      return { addresses: [fromParts(p[2] ?? 0, p[3] ?? 0), fromParts(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff)], public: true };
    default:
      return isIPv4Compatible(address) ? { addresses: [tail], public: false } : undefined;
  }
}

/** True when `address` is one of `metadataAddresses` (compared as parsed addresses, zone ignored). */
function isMetadata(address: IpAddress): boolean {
  const bytes = address.toByteArray().join('.');
  return metadata.some((m) => m.kind() === address.kind() && m.toByteArray().join('.') === bytes);
}

/** The built-in rule denying an IPv4 address, or undefined when it is public. */
function classifyIPv4(address: ipaddr.IPv4): DestinationRule | undefined {
  if (isMetadata(address)) return 'metadata_address';
  const rule = ipv4Ranges[address.range()];
  return rule === undefined ? 'reserved_address' : (rule ?? undefined);
}

/** True when an IPv6 address lies in 2000::/3, the only block allocated for global unicast. */
function isGlobalUnicastBlock(address: ipaddr.IPv6): boolean {
  return ((address.parts[0] ?? 0) & 0xe000) === 0x2000;
}

/** The built-in rule denying an IPv6 address, or undefined when it is public. */
function classifyIPv6(address: ipaddr.IPv6): DestinationRule | undefined {
  if (isMetadata(address)) return 'metadata_address';
  const embedded = embeddedIPv4(address);
  if (embedded) {
    for (const inner of embedded.addresses) {
      const rule = classifyIPv4(inner);
      if (rule) return rule;
    }
    return embedded.public ? undefined : 'reserved_address';
  }
  const range = address.range();
  const rule = ipv6Ranges[range];
  if (rule === undefined) return 'reserved_address';
  if (rule === null && range === 'unicast' && !isGlobalUnicastBlock(address)) return 'reserved_address';
  return rule ?? undefined;
}

/** The built-in rule denying `address` (metadata, loopback, private...), or undefined when it is public. */
export function classifyAddress(address: IpAddress): DestinationRule | undefined {
  return address.kind() === 'ipv4' ? classifyIPv4(address as ipaddr.IPv4) : classifyIPv6(address as ipaddr.IPv6);
}

/** The address and every IPv4 address it carries, for matching against operator CIDRs. */
export function addressForms(address: IpAddress): IpAddress[] {
  if (address.kind() === 'ipv4') return [address];
  return [address, ...(embeddedIPv4(address as ipaddr.IPv6)?.addresses ?? [])];
}

/**
 * Parses an IP literal as Node's `net` would connect to it (strict dotted-decimal IPv4, or
 * IPv6 with optional brackets and zone), or undefined when `text` is not one.
 */
export function parseIpLiteral(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return undefined;
}
