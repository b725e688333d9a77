/**
 * Endpoint URLs in provider configuration (and any other outbound URL: webhooks, connect URLs):
 * absolute http(s) URLs in canonical form (`../egress/url`), without credentials or fragment,
 * stored as the WHATWG parser writes them. Each rule has its own reason, so a rejected URL says
 * which rule it broke. Where the URL may point (the egress policy) is checked against a policy at
 * registration (`outboundUrlProblem`, `outboundUrl`) and again when the call connects.
 */
import { z } from 'zod';
import { builtInHostRule, checkEgressUrl, canonicalUrl, queryProblem, type EgressPolicy, type EgressRule } from '../egress';

/** True when `url`'s host is a loopback address or name (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`), by the egress classification. */
export function isLoopback(url: URL): boolean {
  return builtInHostRule(url.hostname) === 'loopback_address';
}

/** Options of an endpoint URL rule. */
export interface EndpointUrlOptions {
  /**
   * Whether the URL may carry a query. Even then, a parameter whose name or value looks like a
   * secret (`?client_secret=...`) is refused: secrets belong in the secret fields. @default true
   */
  allowQuery?: boolean;
}

/** A refused outbound URL: the reason, and the egress rule when one refused it (`non_canonical`, `scheme`, `metadata_address`...). */
export interface OutboundUrlProblem {
  reason: string;
  rule?: EgressRule;
}

/**
 * What an endpoint URL breaks (spelling, scheme and user info, with their egress rule; fragment,
 * query and secret-looking query parameters, without one), or undefined when it is acceptable.
 */
export function endpointUrlRefusal(value: string, options: EndpointUrlOptions = {}): OutboundUrlProblem | undefined {
  const canonical = canonicalUrl(value);
  if ('problem' in canonical) return { reason: canonical.problem, rule: 'non_canonical' };
  const url = new URL(canonical.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { reason: 'must use http or https', rule: 'scheme' };
  if (url.username !== '' || url.password !== '') return { reason: 'must not contain a username or password', rule: 'userinfo' };
  if (url.hash !== '' || value.includes('#')) return { reason: 'must not contain a fragment' };
  if (options.allowQuery === false && (url.search !== '' || value.includes('?'))) return { reason: 'must not contain a query' };
  const query = queryProblem(url);
  return query === undefined ? undefined : { reason: query };
}

/** The reason an endpoint URL is refused by `endpointUrlRefusal`, or undefined when it is acceptable. */
export function endpointUrlProblem(value: string, options: EndpointUrlOptions = {}): string | undefined {
  return endpointUrlRefusal(value, options)?.reason;
}

/** The egress rule a zod issue made by `endpointUrl` or `outboundUrl` carries (`params.rule`), if any. */
export function issueRule(issue: object | undefined): EgressRule | undefined {
  const rule = ((issue as { params?: { rule?: unknown } } | undefined)?.params)?.rule;
  return typeof rule === 'string' ? (rule as EgressRule) : undefined;
}

/**
 * A zod schema for an endpoint URL: the rules of `endpointUrlProblem`, and the value replaced by
 * its canonical form (`HTTPS://Auth.Example:443` is stored as `https://auth.example/`). A token
 * endpoint may carry a query; a base URL may not. The egress policy is not applied here (it needs
 * the policy): see `outboundUrlProblem`.
 */
export function endpointUrl(options: EndpointUrlOptions = {}) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .superRefine((value, ctx) => {
      const problem = endpointUrlRefusal(value, options);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.reason, params: { rule: problem.rule }, abort: true });
    })
    .overwrite((value) => {
      const canonical = canonicalUrl(value);
      return 'url' in canonical ? canonical.url : value;
    });
}

/**
 * The problem of an outbound URL under `policy` (spelling and shape first, then the egress
 * policy: metadata, private, loopback... addresses and names), or its canonical form when it may
 * be used.
 */
export function outboundUrlProblem(value: string, policy: EgressPolicy, options: EndpointUrlOptions = {}): { problem: OutboundUrlProblem } | { url: string } {
  const shape = endpointUrlRefusal(value, options);
  if (shape) return { problem: shape };
  const check = checkEgressUrl(value, policy, 'url');
  if (!check.ok) return { problem: { reason: check.reason, rule: check.rule } };
  return { url: check.url };
}

/**
 * A zod schema for an outbound URL checked against `policy` as well (webhook and connect URLs,
 * read where the policy is known): `endpointUrl`'s rules, then the egress policy; the issue's
 * `params.rule` carries the egress rule. The value becomes its canonical form.
 */
export function outboundUrl(policy: EgressPolicy, options: EndpointUrlOptions = {}) {
  return endpointUrl(options).superRefine((value, ctx) => {
    const checked = outboundUrlProblem(value, policy, options);
    if ('problem' in checked) ctx.addIssue({ code: 'custom', message: checked.problem.reason, params: { rule: checked.problem.rule } });
  });
}

/**
 * The reason an http (not https) URL is refused, or undefined when it may be used.
 *
 * Plain http is allowed on loopback (tests, local sidecars) or when the configuration opts in.
 */
export function insecureUrlProblem(value: string, allowInsecureHttp: boolean | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined; // reported by the URL rule itself
  }
  if (url.protocol === 'https:' || allowInsecureHttp === true || isLoopback(url)) return undefined;
  return 'must use https (plain http is allowed on loopback, or with allowInsecureHttp: true)';
}

/**
 * A zod refinement refusing each plain-http URL of `fields` that is neither on loopback nor
 * allowed by the configuration's `allowInsecureHttp`; the issue lands on the field. Absent
 * (optional) fields are skipped.
 */
export function refuseInsecureHttp<K extends string>(...fields: K[]) {
  return (config: Partial<Record<K, string>> & { allowInsecureHttp?: boolean }, ctx: z.RefinementCtx): void => {
    for (const field of fields) {
      const value = config[field];
      const problem = value === undefined ? undefined : insecureUrlProblem(value, config.allowInsecureHttp);
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
  };
}

/** Joins a base URL (with or without a trailing slash or path prefix) and an absolute path. */
export function joinUrl(base: string, path: string): URL {
  return new URL(`${base.replace(/\/+$/, '')}${path}`);
}
