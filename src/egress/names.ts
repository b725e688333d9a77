/**
 * Host names the policy knows without resolving them: cloud metadata names and loopback names,
 * and the host patterns operators write (`metadata.google.internal`, `*.internal.example.com`).
 *
 * Names are only a first line: whatever a name resolves to is checked again at connect time.
 */
import type { DestinationRule } from './rules';

/** A host pattern: an exact name, or (`*.` prefix) every name below `name` at any depth. */
export interface HostPattern {
  /** The pattern as written (lower-case, canonical), for messages. */
  readonly text: string;
  /** The name, without the `*.` prefix. */
  readonly name: string;
  /** True for `*.name`: matches names below `name`, not `name` itself. */
  readonly subdomains: boolean;
}

/** Host names of cloud metadata services (GCP, AWS, Tencent Cloud, and the bare short names). */
export const metadataHostNames: readonly string[] = [
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
];

/** Names that mean this machine: `localhost`, every name under `.localhost` (RFC 6761), Debian's aliases. */
export const loopbackHostNames: readonly string[] = ['localhost', '*.localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'];

/** Builds a pattern from already-validated canonical text (`name` or `*.name`). */
export function hostPattern(text: string): HostPattern {
  const subdomains = text.startsWith('*.');
  return { text, name: subdomains ? text.slice(2) : text, subdomains };
}

const metadataPatterns = metadataHostNames.map(hostPattern);
const loopbackPatterns = loopbackHostNames.map(hostPattern);

/** Lower-cases ASCII letters only (non-ASCII letters are never folded into ASCII ones). */
export function asciiLower(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : ch;
  }
  return out;
}

/** A host name as matched: ASCII lower-case, without one trailing dot (`Metadata.` is `metadata`). */
export function matchableHost(host: string): string {
  const lower = asciiLower(host);
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `host` matches `pattern` (`host` as given by a URL or a connect call). */
export function matchesHost(pattern: HostPattern, host: string): boolean {
  const name = matchableHost(host);
  return pattern.subdomains ? name.endsWith(`.${pattern.name}`) : name === pattern.name;
}

/** The built-in rule denying a host name (metadata or loopback name), or undefined. */
export function classifyHostName(host: string): DestinationRule | undefined {
  if (metadataPatterns.some((p) => matchesHost(p, host))) return 'metadata_address';
  if (loopbackPatterns.some((p) => matchesHost(p, host))) return 'loopback_address';
  return undefined;
}
