/**
 * Endpoint URLs in provider configuration: absolute http(s) URLs without credentials or fragment.
 * Each rule has its own reason, so a rejected URL says which rule it broke.
 */
import { z } from 'zod';

/** True when `url`'s host is a loopback address (`localhost`, `127.0.0.0/8`, `::1`). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/** The rule an endpoint URL breaks, or undefined when it is acceptable. */
export function endpointUrlProblem(value: string, options: { allowQuery?: boolean } = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') return 'must not contain a username or password';
  if (url.hash !== '' || value.includes('#')) return 'must not contain a fragment';
  if (options.allowQuery === false && (url.search !== '' || value.includes('?'))) return 'must not contain a query';
  return undefined;
}

/** Builds a zod schema for an endpoint URL (a token endpoint may carry a query; a base URL may not). */
export function endpointUrl(options: { allowQuery?: boolean } = {}) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .max(2048, 'must be at most 2048 characters')
    .superRefine((value, ctx) => {
      const problem = endpointUrlProblem(value, options);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
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
