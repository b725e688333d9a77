/**
 * The egress rules by stable machine name, each with the human text a refusal shows.
 *
 * One home for the names: the registration check, the connect-time check, the error class and
 * docs/egress.md (checked by a test) all read this table.
 */

/** Every rule an outbound URL can break, with the text a refusal shows. */
export const egressRules = {
  non_canonical: 'is not written in canonical form',
  scheme: 'must use http or https',
  userinfo: 'must not contain a username or password',
  denied_host: 'names a host denied by HALFLIFE_EGRESS_DENY',
  denied_address: 'points to an address denied by HALFLIFE_EGRESS_DENY',
  metadata_address: 'points to a cloud metadata service',
  loopback_address: 'points to a loopback address (allowed only in development or through HALFLIFE_EGRESS_ALLOW)',
  link_local_address: 'points to a link-local address',
  private_address: 'points to a private network address',
  cgnat_address: 'points to a carrier-grade NAT address (100.64.0.0/10)',
  unspecified_address: 'points to an unspecified address (0.0.0.0/8 or ::)',
  multicast_address: 'points to a multicast address',
  broadcast_address: 'points to the broadcast address',
  reserved_address: 'points to a reserved or non-routable address',
} as const;

/** Stable machine name of an egress rule (`private_address`, `denied_host`...). */
export type EgressRule = keyof typeof egressRules;

/** The rules that classify a destination (host or address), as opposed to the URL's spelling. */
export type DestinationRule = Exclude<EgressRule, 'non_canonical' | 'scheme' | 'userinfo'>;

/** Human text for `rule`, naming it: "points to a private network address (egress rule private_address)". */
export function describeRule(rule: EgressRule): string {
  return `${egressRules[rule]} (egress rule ${rule})`;
}
