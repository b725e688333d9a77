/**
 * The egress policy: which hosts and addresses outbound calls may reach.
 *
 * Precedence, from strongest: an explicit deny entry (`HALFLIFE_EGRESS_DENY`) refuses; an
 * explicit allow entry (`HALFLIFE_EGRESS_ALLOW`) permits; otherwise the built-in rules deny
 * metadata, link-local, private, CGNAT, unspecified, multicast, broadcast and reserved
 * addresses and names, and loopback unless in development. Everything else is allowed.
 *
 * A host name allowed by an explicit entry is trusted for whatever it resolves to (only deny
 * CIDRs still apply), so an operator can allow `vault.internal.example.com` on 10.0.0.0/8
 * without allowing all of 10.0.0.0/8.
 */
import type { IpAddress } from './address';
import { addressForms, classifyAddress } from './address';
import { parseEgressList, type EgressEntry } from './entries';
import { classifyHostName, matchesHost } from './names';
import type { DestinationRule } from './rules';

/** Which destinations outbound calls may reach; build it with `egressPolicyFromEnv`. */
export interface EgressPolicy {
  /** Development mode: loopback addresses and names are allowed. */
  readonly development: boolean;
  /** Explicit allow entries (win over the built-in rules). */
  readonly allow: readonly EgressEntry[];
  /** Explicit deny entries (win over everything). */
  readonly deny: readonly EgressEntry[];
}

/** The outcome of checking a host name or an address: allowed (and why) or denied by a rule. */
export type EgressDecision =
  | { readonly allowed: true; readonly explicit: boolean }
  | { readonly allowed: false; readonly rule: DestinationRule };

/** Environment variable listing explicit allow entries. */
export const egressAllowVariable = 'HALFLIFE_EGRESS_ALLOW';
/** Environment variable listing explicit deny entries. */
export const egressDenyVariable = 'HALFLIFE_EGRESS_DENY';

/**
 * Reads `HALFLIFE_EGRESS_ALLOW` / `HALFLIFE_EGRESS_DENY` (comma-separated CIDRs, addresses and
 * host patterns); a bad entry throws an `InvalidConfigError` naming the variable and the entry.
 */
export function egressPolicyFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>, options: { development: boolean }): EgressPolicy {
  return {
    development: options.development,
    allow: parseEgressList(egressAllowVariable, env[egressAllowVariable]),
    deny: parseEgressList(egressDenyVariable, env[egressDenyVariable]),
  };
}

const cached = { key: '', policy: undefined as EgressPolicy | undefined };

/**
 * The policy of this process: `HALFLIFE_EGRESS_ALLOW` / `HALFLIFE_EGRESS_DENY` of `env`, in
 * development mode unless `NODE_ENV=production` (the worker's default too). Parsed again only
 * when one of the three variables changes.
 */
export function defaultEgressPolicy(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): EgressPolicy {
  const key = JSON.stringify([env[egressAllowVariable], env[egressDenyVariable], env.NODE_ENV]);
  if (cached.policy && cached.key === key) return cached.policy;
  const policy = egressPolicyFromEnv(env, { development: env.NODE_ENV !== 'production' });
  Object.assign(cached, { key, policy });
  return policy;
}

/** True when one of `forms` lies in a CIDR entry. */
function inCidrs(entries: readonly EgressEntry[], forms: readonly IpAddress[]): boolean {
  return entries.some((e) => e.kind === 'cidr' && forms.some((f) => f.kind() === e.range[0].kind() && f.match(e.range)));
}

/** True when `host` matches a host entry. */
function inHosts(entries: readonly EgressEntry[], host: string): boolean {
  return entries.some((e) => e.kind === 'host' && matchesHost(e.pattern, host));
}

/** Applies the development exemption to a built-in rule. */
function builtIn(policy: EgressPolicy, rule: DestinationRule | undefined): EgressDecision {
  if (rule === undefined || (rule === 'loopback_address' && policy.development)) return { allowed: true, explicit: false };
  return { allowed: false, rule };
}

/**
 * Decides a host name (not an IP literal) before resolving it. `explicit: true` means an allow
 * entry names it, so its addresses are checked against deny CIDRs only; `explicit: false` means
 * every address it resolves to must pass `decideAddress`.
 */
export function decideHostName(policy: EgressPolicy, host: string): EgressDecision {
  if (inHosts(policy.deny, host)) return { allowed: false, rule: 'denied_host' };
  if (inHosts(policy.allow, host)) return { allowed: true, explicit: true };
  return builtIn(policy, classifyHostName(host));
}

/**
 * Decides one address; `hostAllowed` is true when it came from resolving a host name that an
 * allow entry names. Deny CIDRs match the address and every IPv4 address it carries; allow
 * CIDRs match the address or, for an IPv4-mapped address, the IPv4 address itself.
 */
export function decideAddress(policy: EgressPolicy, address: IpAddress, hostAllowed = false): EgressDecision {
  const forms = addressForms(address);
  if (inCidrs(policy.deny, forms)) return { allowed: false, rule: 'denied_address' };
  if (hostAllowed) return { allowed: true, explicit: true };
  const same = address.kind() === 'ipv6' && address.range() === 'ipv4Mapped' ? forms : [address];
  if (inCidrs(policy.allow, same)) return { allowed: true, explicit: true };
  return builtIn(policy, classifyAddress(address));
}
