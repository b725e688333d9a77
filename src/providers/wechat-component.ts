/**
 * The `wechat_component` provider: the `component_access_token` of a WeChat third-party platform
 * (开放平台), from `POST /cgi-bin/component/api_component_token` with the platform's AppID and
 * AppSecret and the latest `component_verify_ticket`.
 *
 * WeChat pushes that ticket every 10 minutes to the platform's callback URL, encrypted; Halflife's
 * callback route (`POST /v1/push/{id}`, src/api/push-routes.ts) verifies and decrypts it with the
 * credential's `callbackToken` and `encodingAesKey` and hands it to the credential as its grant,
 * kept for the next refresh (`reauthorize` with `keepToken`). A refresh due before any ticket
 * arrived sends nothing and waits as `reauth_required` (`ticket_missing`) until the first push.
 */
import type { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, optionalBoolean, requiredString, secretString } from './config-fields';
import { scrubbingErrors } from './errcode-api';
import { noTicketRule, postForToken, pushFields, ticketOf } from './platform-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** The `wechat_component` configuration fields. */
export const wechatComponentFields = {
  componentAppid: field(requiredString(64), { type: 'string', doc: "the third-party platform's AppID (`component_appid`; not secret): pushes must name it" }),
  componentAppsecret: field(secretString(), { type: 'string, secret', doc: "the platform's AppSecret", secret: true }),
  ...pushFields,
  baseUrl: field(endpointUrl({ allowQuery: false }).default('https://api.weixin.qq.com'), { type: 'URL', doc: 'API base (a proxy, or a fake in tests)' }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http `baseUrl` that is not on loopback', docDefault: '`false`' }),
};

/** Zod schema of the `wechat_component` configuration. */
export const wechatComponentConfigSchema = configObject(wechatComponentFields).superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wechat_component` configuration. */
export type WechatComponentConfig = z.infer<typeof wechatComponentConfigSchema>;

const waitForPush = 'not retried: `reauth_required` until the next `component_verify_ticket` push (every 10 minutes) starts the refresh';

const rules = [
  noTicketRule('component_verify_ticket'),
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  errcodeRule(45009, 'transient', `daily quota reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(61005, 'reauth', `${waitForPush} (the ticket expired)`),
  errcodeRule(61006, 'reauth', `${waitForPush} (the ticket is not valid)`),
  errcodeRule(40013, 'configuration', `${w.reprobed} (invalid component AppID)`),
  errcodeRule(40125, 'configuration', `${w.reprobed} (invalid component AppSecret)`),
  errcodeRule(40001, 'configuration', `${w.reprobed} (wrong component AppSecret)`),
  errcodeRule(61004, 'configuration', `${w.reprobed} (caller IP not in the platform's whitelist)`),
  errcodeRule(41002, 'configuration', `${w.reprobed} (component_appid missing)`),
  errcodeRule(41004, 'configuration', `${w.reprobed} (component_appsecret missing)`),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** Obtains a `component_access_token` with the latest ticket. */
async function refresh(config: WechatComponentConfig, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const ticket = ticketOf(grant, 'wechat_component', 'component_verify_ticket');
  const secrets = [config.componentAppsecret, ticket];
  return scrubbingErrors(secrets, async () => {
    const body = { component_appid: config.componentAppid, component_appsecret: config.componentAppsecret, component_verify_ticket: ticket };
    const url = joinUrl(config.baseUrl, '/cgi-bin/component/api_component_token');
    const token = await postForToken({ provider: 'wechat_component', url, body, rules, tokenField: 'component_access_token', secrets }, ctx);
    return { token: { ...token, metadata: { componentAppid: config.componentAppid } } };
  });
}

/** The `wechat_component` provider. */
export const wechatComponentProvider = defineProvider<WechatComponentConfig>({
  name: 'wechat_component',
  fields: wechatComponentFields,
  configSchema: wechatComponentConfigSchema,
  needsRefreshToken: false,
  optionalGrant: true,
  classification: rules,
  summary: { grant: 'WeChat third-party platform `/cgi-bin/component/api_component_token` with the pushed `component_verify_ticket`', refreshToken: 'the latest pushed ticket', repeatsToken: 'no' },
  refresh,
});
