/**
 * Shared by the third-party platform providers (WeChat `wechat_component` / `wechat_authorizer`,
 * WeCom `wecom_suite` / `wecom_corp`): the configuration fields of the pushed-ticket callback,
 * the grant checks, and one JSON POST whose answer names its token field (`component_access_token`,
 * `suite_access_token`, `authorizer_access_token`, `access_token`).
 */
import type { Grant, ProviderName, TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { encodingAesKeyPattern } from '../platform/push-kinds';
import type { ClassificationRule } from './classification';
import { field, requiredString, secretString } from './config-fields';
import { callErrcodeApi, keepRepeated, throwOnErrcode, tokenFromAnswer, type ErrcodeAnswer } from './errcode-api';
import type { ProviderContext } from './provider';

/** The callback fields of a push-receiving provider (both secret: they open and authenticate the pushes). */
export const pushFields = {
  callbackToken: field(secretString(), { type: 'string, secret', doc: 'the callback Token set on the platform: `msg_signature` of each push is checked with it', secret: true }),
  encodingAesKey: field(
    requiredString(43).regex(encodingAesKeyPattern, 'must be the 43-character EncodingAESKey (letters, digits, + and /)'),
    { type: 'string, secret', doc: 'the 43-character EncodingAESKey set on the platform: pushes are decrypted with it', secret: true },
  ),
};

/** The row of a ticket-fed provider whose ticket has not arrived yet (no request is sent). */
export function noTicketRule(ticket: string): ClassificationRule {
  return { match: 'no ticket yet', kind: 'reauth', code: 'ticket_missing', retry: `not retried: \`reauth_required\` until the platform pushes a \`${ticket}\` (every 10 minutes), which starts the refresh at once` };
}

/** The ticket a ticket-fed provider holds as its grant, or the `ticket_missing` failure (before any request). */
export function ticketOf(grant: Grant, provider: ProviderName, ticket: string): string {
  if (grant.refreshToken) return grant.refreshToken;
  throw new ProviderError('reauth', 'ticket_missing', `${provider}: no ${ticket} has arrived yet; the platform pushes one every 10 minutes to Halflife's callback (docs/providers.md)`);
}

/** The row of a child whose grant (a refresh token or a permanent code) is missing. */
export function missingGrantRule(what: string): ClassificationRule {
  return { match: 'grant without refresh token', kind: 'configuration', code: 'missing_refresh_token', retry: `not retried: \`reauth_required\` until \`reauthorize\` brings ${what}` };
}

/** The grant of a child provider (`authorizer_refresh_token`, permanent code), or `missing_refresh_token`. */
export function childGrantOf(grant: Grant, provider: ProviderName, what: string): string {
  if (grant.refreshToken) return grant.refreshToken;
  throw new ProviderError('configuration', 'missing_refresh_token', `the ${provider} provider needs ${what} as grant.refreshToken; reauthorize the credential`);
}

/** One token request of a platform provider. */
export interface PlatformTokenRequest {
  provider: ProviderName;
  url: URL;
  /** The JSON body (holds secrets). */
  body: Record<string, unknown>;
  rules: readonly ClassificationRule[];
  /** The answer's token field. */
  tokenField: string;
  /** Every secret the request carries, scrubbed from errors. */
  secrets: readonly string[];
}

/** The answer of one JSON POST through `ctx.fetch`, a nonzero errcode thrown as its classified failure. */
export async function postForAnswer(req: Omit<PlatformTokenRequest, 'tokenField'>, ctx: ProviderContext): Promise<ErrcodeAnswer> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(req.body) };
  const answer = await callErrcodeApi(req.url, init, ctx);
  throwOnErrcode(req.provider, req.rules, answer.body, ctx.now(), req.secrets);
  return answer;
}

/** The token set of one JSON POST (the held one kept when the answer repeats it). */
export async function postForToken(req: PlatformTokenRequest, ctx: ProviderContext): Promise<TokenSet> {
  return keepRepeated(tokenFromAnswer(await postForAnswer(req, ctx), ctx, req.tokenField), ctx.current);
}
