/**
 * The registration-time check of an outbound URL: canonical spelling, http(s), no user info,
 * and the host against the policy (IP literals by address, names by pattern). Names are not
 * resolved here; what they resolve to is checked when the connection is made
 * (`createEgressDispatcher`), which also catches DNS rebinding.
 */
import { classifyAddress, parseIpLiteral } from './address';
import { classifyHostName } from './names';
import { decideAddress, decideHostName, type EgressPolicy } from './policy';
import { describeRule, type DestinationRule, type EgressRule } from './rules';
import { canonicalUrl } from './url';

/** The outcome of `checkEgressUrl`: the canonical URL, or the field, the rule broken and a human reason. */
export type EgressCheck = { ok: true; url: string } | { ok: false; field: string; rule: EgressRule; reason: string };

/** Refusal of `field` by `rule`, with `detail` (default: the rule's own text) and the rule's name. */
function refused(field: string, rule: EgressRule, detail?: string): EgressCheck {
  return { ok: false, field, rule, reason: detail ? `${detail} (egress rule ${rule})` : describeRule(rule) };
}

/**
 * Checks an outbound URL given for `field` at registration: returns its canonical form, or the
 * rule it breaks (`non_canonical`, `scheme`, `userinfo`, `metadata_address`, `private_address`...).
 */
export function checkEgressUrl(url: string, policy: EgressPolicy, field: string): EgressCheck {
  if (typeof url !== 'string') return refused(field, 'non_canonical', 'must be a string');
  const canonical = canonicalUrl(url);
  if ('problem' in canonical) return refused(field, 'non_canonical', canonical.problem);
  const parsed = new URL(canonical.url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return refused(field, 'scheme');
  if (parsed.username !== '' || parsed.password !== '') return refused(field, 'userinfo');
  const address = parseIpLiteral(parsed.hostname);
  const decision = address ? decideAddress(policy, address) : decideHostName(policy, parsed.hostname);
  if (!decision.allowed) return refused(field, decision.rule);
  return { ok: true, url: canonical.url };
}

/**
 * The built-in rule a URL host falls under, ignoring operator entries and development mode
 * (`loopback_address` for `localhost`, `[::1]` or `127.1.2.3`), or undefined for a public host.
 */
export function builtInHostRule(hostname: string): DestinationRule | undefined {
  const address = parseIpLiteral(hostname);
  return address ? classifyAddress(address) : classifyHostName(hostname);
}
