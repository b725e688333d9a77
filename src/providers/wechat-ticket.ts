/**
 * The WeChat ticket providers, derived from a `wechat` credential: `wechat_jsapi_ticket` (the
 * JS-SDK `jsapi_ticket`, `GET /cgi-bin/ticket/getticket?type=jsapi`) and `wechat_card_ticket`
 * (the card `api_ticket`, `type=wx_card`). Both are obtained with the parent's access token, at
 * the parent's `baseUrl`; they live 7200 s, the endpoint's daily quota is small, and every call
 * issues a new ticket, so Halflife is the one caller and consumers read the ticket it holds.
 *
 * One module for both: they differ only in `type`. The ticket carries `metadata.appId` (the
 * parent's AppID) and `metadata.ticketType`, which the JS-SDK signature (src/jssdk) reads.
 */
import type { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, transportRules } from './classification';
import { configObject } from './config-fields';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { fetchTicket, parentOf, parentSetting, parentTokenRule, ticketMalformedRules } from './ticket-api';

/** The WeChat ticket kinds take no configuration of their own: the parent has the AppID, secret and base URL. */
export const wechatTicketFields = {};

/** Zod schema of a WeChat ticket configuration (`{}`). */
export const wechatTicketConfigSchema = configObject(wechatTicketFields);

/** A validated WeChat ticket configuration. */
export type WechatTicketConfig = z.infer<typeof wechatTicketConfigSchema>;

const rules = [
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  parentTokenRule(40001, 'invalid or superseded access_token'),
  parentTokenRule(40014, 'invalid access_token'),
  parentTokenRule(42001, 'access_token expired'),
  parentTokenRule(41001, 'access_token missing'),
  errcodeRule(45009, 'transient', `daily ticket quota reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(45011, 'transient', `minute quota reached; ${w.backoff}, at least 60 s apart`, 60_000),
  errcodeRule(40164, 'configuration', `${w.reprobed} (caller IP not in the whitelist)`),
  errcodeRule(48001, 'configuration', `${w.reprobed} (the account may not use this API: JS-SDK or cards not enabled)`),
  errcodeRule(40097, 'configuration', `${w.reprobed} (invalid type)`),
  errcodeOtherRule,
  ...transportRules,
  ...ticketMalformedRules,
];

function ticketProvider<N extends 'wechat_jsapi_ticket' | 'wechat_card_ticket'>(name: N, type: 'jsapi' | 'wx_card', what: string) {
  async function refresh(_config: WechatTicketConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
    const parent = parentOf(ctx, name);
    const baseUrl = parentSetting(parent, 'baseUrl', 'https://api.weixin.qq.com');
    const metadata = { appId: parentSetting(parent, 'appid'), ticketType: type };
    return fetchTicket({ provider: name, baseUrl, path: '/cgi-bin/ticket/getticket', query: { type }, rules, metadata }, parent, ctx);
  }
  return defineProvider<WechatTicketConfig>({
    name,
    fields: wechatTicketFields,
    configSchema: wechatTicketConfigSchema,
    needsRefreshToken: false,
    derivedFrom: ['wechat'],
    classification: rules,
    summary: { grant: `${what}: WeChat \`/cgi-bin/ticket/getticket?type=${type}\` with a \`wechat\` parent's token`, refreshToken: 'no', repeatsToken: 'no' },
    refresh,
  });
}

/** The `wechat_jsapi_ticket` provider: the JS-SDK ticket of a `wechat` parent. */
export const wechatJsapiTicketProvider = ticketProvider('wechat_jsapi_ticket', 'jsapi', 'JS-SDK `jsapi_ticket`');

/** The `wechat_card_ticket` provider: the card `api_ticket` of a `wechat` parent. */
export const wechatCardTicketProvider = ticketProvider('wechat_card_ticket', 'wx_card', 'card `api_ticket`');
