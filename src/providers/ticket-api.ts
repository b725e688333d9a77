/**
 * Shared by the derived ticket providers (WeChat JS-SDK and card tickets, WeCom corp and agent
 * tickets): one GET with the parent's access token in the query, an answer
 * `{errcode: 0, errmsg: 'ok', ticket, expires_in}` (HTTP 200) or a nonzero errcode, and the rows
 * every ticket endpoint shares. The rows marked `parentToken` (40001, 40014, 42001, 41001: the
 * access token was refused) make the refresh activity refresh the parent and retry once.
 */
import type { ProviderName, TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { errcodeRule, errcodeWords as w, malformedRules, type ClassificationRule } from './classification';
import { callErrcodeApi, keepRepeated, scrubbingErrors, throwOnErrcode } from './errcode-api';
import { lifetimeMs } from './lifetime';
import type { ParentToken, ProviderContext, ProviderResult } from './provider';
import { joinUrl } from './url';

/** Words of the rows where the ticket endpoint refused the parent's token. */
export const parentTokenRetry = "the parent's token was refused: the parent refreshes (as on a consumer's report), then one retry; if that fails too, retried with backoff";

/** A row for an errcode that means the parent's access token was refused. */
export function parentTokenRule(n: number, what: string): ClassificationRule {
  return { ...errcodeRule(n, 'transient', `${parentTokenRetry} (${what})`, 1_000), parentToken: true };
}

/** The rows of answers that arrived but cannot be used (a ticket instead of an access token). */
export const ticketMalformedRules: readonly ClassificationRule[] = [
  ...malformedRules.filter((r) => r.code === 'invalid_json' || r.code === 'body_too_large'),
  { match: 'missing ticket', kind: 'malformed', code: 'missing_ticket', retry: w.backoff },
  { match: 'invalid expires_in', kind: 'malformed', code: 'invalid_expires_in', retry: `${w.backoff} (see the lifetime rules)` },
];

/** The parent a derived provider was given; without one the activity was not wired (a configuration failure). */
export function parentOf(ctx: ProviderContext, name: ProviderName): ParentToken {
  if (!ctx.parent) throw new ProviderError('configuration', 'parent_missing', `the ${name} provider needs its parent credential's token, and the refresh got none`);
  return ctx.parent;
}

/** A string setting of the parent (`baseUrl`, `appid`, `corpid`). */
export function parentSetting(parent: ParentToken, name: string, fallback?: string): string {
  const value = parent.settings[name];
  if (typeof value === 'string' && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ProviderError('configuration', 'parent_mismatch', `the parent credential ${parent.id} has no ${name} setting`);
}

/** What one ticket request needs. */
export interface TicketRequest {
  provider: ProviderName;
  /** API base and path; the query (`type`, …) is added to it. */
  baseUrl: string;
  path: string;
  query?: Record<string, string>;
  rules: readonly ClassificationRule[];
  /** Non-secret facts kept with the ticket (`appId`, `ticketType`, …), returned by `getToken`. */
  metadata: Record<string, string>;
}

/** Obtains a ticket with the parent's token: one GET through `ctx.fetch`, its lifetime counted from the instant it was sent. */
export async function fetchTicket(req: TicketRequest, parent: ParentToken, ctx: ProviderContext): Promise<ProviderResult> {
  return scrubbingErrors([parent.accessToken], async () => {
    const url = joinUrl(req.baseUrl, req.path);
    url.searchParams.set('access_token', parent.accessToken);
    for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.set(name, value);
    const answer = await callErrcodeApi(url, { method: 'GET', headers: { accept: 'application/json' } }, ctx);
    throwOnErrcode(req.provider, req.rules, answer.body, ctx.now(), [parent.accessToken]);
    const { body, sentAt } = answer;
    if (typeof body.ticket !== 'string' || body.ticket === '') {
      throw new ProviderError('malformed', 'missing_ticket', 'ticket API answer has neither errcode nor ticket', { httpStatus: 200 });
    }
    const token: TokenSet = {
      accessToken: body.ticket,
      tokenType: 'Ticket',
      issuedAt: sentAt,
      expiresAt: sentAt + lifetimeMs(body.expires_in, ctx.defaultLifetimeMs),
      metadata: req.metadata,
    };
    return { token: keepRepeated(token, ctx.current) };
  });
}
