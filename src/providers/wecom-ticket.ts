/**
 * The `wecom_jsapi_ticket` provider, derived from a `wecom` credential: the corp's JS-SDK ticket
 * (`type: 'corp'`, `GET /cgi-bin/get_jsapi_ticket`, for `wx.config`) or the application's
 * (`type: 'agent'`, `GET /cgi-bin/ticket/get?type=agent_config`, for `wx.agentConfig`), obtained
 * with the parent's access token at the parent's `baseUrl`. WeCom allows few of them (about 100
 * an hour per application, 400 per corp) and each call issues a new one.
 *
 * The ticket carries `metadata.appId` (the parent's corp ID), `metadata.ticketType` and, when
 * configured, `metadata.agentId`, which the JS-SDK signature (src/jssdk) hands back.
 */
import { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, transportRules } from './classification';
import { configObject, field, integer } from './config-fields';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { fetchTicket, parentOf, parentSetting, parentTokenRule, ticketMalformedRules } from './ticket-api';

/** The `wecom_jsapi_ticket` configuration fields. */
export const wecomTicketFields = {
  type: field(z.enum(['corp', 'agent'], { error: 'must be corp or agent' }).default('corp'), {
    type: '`corp` | `agent`',
    doc: '`corp`: the corp ticket of `wx.config` (`/cgi-bin/get_jsapi_ticket`); `agent`: the application ticket of `wx.agentConfig` (`/cgi-bin/ticket/get?type=agent_config`)',
  }),
  agentid: field(integer(1, 2_147_483_647).optional(), { type: 'integer', doc: "the application's AgentID, handed back with each signature (`wx.agentConfig` needs it; not sent to WeCom)" }),
};

/** Zod schema of the `wecom_jsapi_ticket` configuration. */
export const wecomTicketConfigSchema = configObject(wecomTicketFields);

/** A validated `wecom_jsapi_ticket` configuration. */
export type WecomTicketConfig = z.infer<typeof wecomTicketConfigSchema>;

const rules = [
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  parentTokenRule(40014, 'invalid access_token'),
  parentTokenRule(42001, 'access_token expired'),
  parentTokenRule(41001, 'access_token missing'),
  parentTokenRule(40001, 'invalid credential'),
  errcodeRule(45009, 'transient', 'hourly ticket quota reached; retried after 5 min, then with backoff', 300_000),
  errcodeRule(60020, 'configuration', `${w.reprobed} (caller IP not allowed)`),
  errcodeRule(48002, 'configuration', `${w.reprobed} (the application may not use this API)`),
  errcodeRule(40097, 'configuration', `${w.reprobed} (invalid type)`),
  errcodeOtherRule,
  ...transportRules,
  ...ticketMalformedRules,
];

/** Obtains a new corp or agent ticket with the parent's token. */
async function refresh(config: WecomTicketConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const parent = parentOf(ctx, 'wecom_jsapi_ticket');
  const baseUrl = parentSetting(parent, 'baseUrl', 'https://qyapi.weixin.qq.com');
  const metadata: Record<string, string> = { appId: parentSetting(parent, 'corpid'), ticketType: config.type, ...(config.agentid !== undefined ? { agentId: String(config.agentid) } : {}) };
  const where = config.type === 'corp' ? { path: '/cgi-bin/get_jsapi_ticket' } : { path: '/cgi-bin/ticket/get', query: { type: 'agent_config' } };
  return fetchTicket({ provider: 'wecom_jsapi_ticket', baseUrl, ...where, rules, metadata }, parent, ctx);
}

/** The `wecom_jsapi_ticket` provider. */
export const wecomJsapiTicketProvider = defineProvider<WecomTicketConfig>({
  name: 'wecom_jsapi_ticket',
  fields: wecomTicketFields,
  configSchema: wecomTicketConfigSchema,
  needsRefreshToken: false,
  derivedFrom: ['wecom'],
  classification: rules,
  summary: { grant: 'WeCom JS-SDK ticket (`/cgi-bin/get_jsapi_ticket` or `/cgi-bin/ticket/get?type=agent_config`) with a `wecom` parent\'s token', refreshToken: 'no', repeatsToken: 'no' },
  refresh,
});
