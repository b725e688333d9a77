/**
 * Connect-time enforcement of the egress policy, in undici's connector, after DNS resolution.
 *
 * The connector refuses an IP literal or a denied host name before any DNS query; for other
 * names its `lookup` resolves every address (`all: true`), checks EVERY one against the policy
 * and fails the connection with an `EgressDeniedError` if any is denied, so a name that pointed
 * somewhere allowed at registration and now points at a metadata or private address (DNS
 * rebinding) is refused when it is called. Node connects only to addresses this lookup
 * returned. Pooled keep-alive connections were checked when they were opened.
 *
 * `createEgressFetch` uses undici's own `fetch` with this dispatcher (never Node's global
 * fetch, whose bundled undici is a different copy) and `redirect: 'manual'`: a 3xx answer is
 * returned to the caller as it is and its `Location` is never followed. `'manual'` rather than
 * `'error'` because `'error'` throws a bare "fetch failed" TypeError that looks like a network
 * failure (retried as transient), while a 3xx status is a definite answer the provider layer
 * classifies as a configuration error; and because following a 307/308 would resend the body
 * (client secrets) to another host.
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { parseIpLiteral } from './address';
import { EgressDeniedError, isEgressDeniedError } from './errors';
import { decideAddress, decideHostName, type EgressPolicy } from './policy';

/** One address a lookup returned. */
export interface ResolvedAddress {
  /** The address in text form (`203.0.113.7`, `2001:db8::1`). */
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/** Resolves a host name to every address it has (as `dns.lookup` with `all: true`). */
export type EgressLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** Options of `createEgressDispatcher` and `createEgressFetch`. */
export interface EgressDispatcherOptions {
  /** Name resolution; tests inject one. @default `dns.promises.lookup(host, { all: true, verbatim: true })` */
  lookup?: EgressLookup;
  /** Time allowed to resolve and connect (and finish TLS). @default 10_000 */
  connectTimeoutMs?: number;
}

/** A fetch that enforces the egress policy at connect time and never follows redirects; `close()` ends its connections. */
export type EgressFetch = ((url: URL | string, init?: RequestInit) => Promise<Response>) & { close(): Promise<void> };

/** The system resolver: every address of `hostname`, in the order the resolver gave them. */
export const systemLookup: EgressLookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** The rule refusing `host` before resolution (an IP literal, or a denied name), or undefined. */
function hostDenial(policy: EgressPolicy, host: string): EgressDeniedError | undefined {
  if (net.isIP(host) !== 0) {
    const address = parseIpLiteral(host);
    const decision = address ? decideAddress(policy, address) : ({ allowed: false, rule: 'reserved_address' } as const);
    return decision.allowed ? undefined : new EgressDeniedError(host, decision.rule);
  }
  const decision = decideHostName(policy, host);
  return decision.allowed ? undefined : new EgressDeniedError(host, decision.rule);
}

/** Checks every resolved address of `host`; throws `EgressDeniedError` on the first denied one. */
function checkResolved(policy: EgressPolicy, host: string, addresses: readonly ResolvedAddress[]): void {
  const name = decideHostName(policy, host);
  if (!name.allowed) throw new EgressDeniedError(host, name.rule);
  for (const { address } of addresses) {
    const parsed = parseIpLiteral(address);
    const decision = parsed ? decideAddress(policy, parsed, name.explicit) : ({ allowed: false, rule: 'reserved_address' } as const);
    if (!decision.allowed) throw new EgressDeniedError(host, decision.rule);
  }
}

/** Node's `lookup` option (callback style, `all` or not, family filter) over a checked `EgressLookup`. */
function checkedLookup(policy: EgressPolicy, lookup: EgressLookup): net.LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname).then(
      (addresses) => {
        try {
          checkResolved(policy, hostname, addresses);
        } catch (err) {
          return callback(err as NodeJS.ErrnoException, '', 0);
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = addresses.filter((a) => !family || a.family === family).map((a) => ({ address: a.address, family: a.family }));
        const first = wanted[0];
        if (!first) return callback(Object.assign(new Error(`no address found for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, wanted);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * An undici `Agent` whose connector enforces `policy` on every new connection (IP literals and
 * names before resolution, every resolved address after it).
 */
export function createEgressDispatcher(policy: EgressPolicy, options: EgressDispatcherOptions = {}): Agent {
  const base = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000, lookup: checkedLookup(policy, options.lookup ?? systemLookup) });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const denial = hostDenial(policy, connectOptions.hostname);
    if (denial) return queueMicrotask(() => callback(denial, null));
    return base(connectOptions, callback);
  };
  return new Agent({ connect });
}

/**
 * A fetch for outbound calls under `policy`: undici's fetch over `createEgressDispatcher`,
 * `redirect: 'manual'` whatever `init` says, and a refused destination rejected with the
 * `EgressDeniedError` itself (not undici's "fetch failed" wrapper).
 */
export function createEgressFetch(policy: EgressPolicy, options: EgressDispatcherOptions = {}): EgressFetch {
  const dispatcher = createEgressDispatcher(policy, options);
  const egressFetch = async (url: URL | string, init: RequestInit = {}): Promise<Response> => {
    const target = typeof url === 'string' ? new URL(url) : url;
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new EgressDeniedError(target.protocol, 'scheme');
    try {
      const undiciInit = { ...(init as unknown as UndiciRequestInit), redirect: 'manual', dispatcher } as UndiciRequestInit;
      return (await undiciFetch(target, undiciInit)) as unknown as Response;
    } catch (err) {
      const cause = (err as { cause?: unknown } | undefined)?.cause;
      throw isEgressDeniedError(cause) ? cause : err;
    }
  };
  return Object.assign(egressFetch, { close: () => dispatcher.close() });
}
