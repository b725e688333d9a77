/**
 * The egress policy for every outbound URL: registration-time checks (`checkEgressUrl`,
 * `canonicalUrl`, `queryProblem`) and connect-time enforcement (`createEgressFetch`,
 * `createEgressDispatcher`). The classification internals (address ranges, name lists, entry
 * parsing) stay inside the folder except for the few the docs and tests name.
 */
export { builtInHostRule, checkEgressUrl, type EgressCheck } from './check';
export { createEgressDispatcher, createEgressFetch, systemLookup, type EgressDispatcherOptions, type EgressFetch, type EgressLookup, type ResolvedAddress } from './dispatcher';
export { EgressDeniedError, egressDeniedCode, isEgressDeniedError } from './errors';
export { decideAddress, decideHostName, defaultEgressPolicy, egressAllowVariable, egressDenyVariable, egressPolicyFromEnv, type EgressDecision, type EgressPolicy } from './policy';
export { describeRule, egressRules, type DestinationRule, type EgressRule } from './rules';
export { canonicalUrl, maxUrlLength, queryProblem, redactSecretQuery } from './url';
