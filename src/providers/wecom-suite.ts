/**
 * The `wecom_suite` provider: the `suite_access_token` of a WeCom third-party application (a
 * suite), from `POST /cgi-bin/service/get_suite_token` with the suite id and secret and the latest
 * `suite_ticket`.
 *
 * WeCom pushes the ticket every 10 minutes to the suite's command callback URL, encrypted like
 * WeChat's (its receiver id is the suite id); Halflife's callback route (`/v1/push/{id}`) opens it
 * with the credential's `callbackToken` and `encodingAesKey` and keeps it as the grant for the next
 * refresh. WeCom repeats a live `suite_access_token`, like `gettoken`: a new one only at expiry.
 */
import type { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, optionalBoolean, requiredString, secretString } from './config-fields';
import { scrubbingErrors } from './errcode-api';
import { noTicketRule, postForToken, pushFields, ticketOf } from './platform-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** The `wecom_suite` configuration fields. */
export const wecomSuiteFields = {
  suiteId: field(requiredString(64), { type: 'string', doc: 'the suite id (`suite_id`, not secret): pushes must name it as their receiver' }),
  suiteSecret: field(secretString(), { type: 'string, secret', doc: "the suite's secret", secret: true }),
  ...pushFields,
  baseUrl: field(endpointUrl({ allowQuery: false }).default('https://qyapi.weixin.qq.com'), { type: 'URL', doc: 'API base (a proxy, or a fake in tests)' }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http `baseUrl` that is not on loopback', docDefault: '`false`' }),
};

/** Zod schema of the `wecom_suite` configuration. */
export const wecomSuiteConfigSchema = configObject(wecomSuiteFields).superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wecom_suite` configuration. */
export type WecomSuiteConfig = z.infer<typeof wecomSuiteConfigSchema>;

const rules = [
  noTicketRule('suite_ticket'),
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  errcodeRule(45009, 'transient', `API call limit reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(40085, 'reauth', 'not retried: `reauth_required` until the next `suite_ticket` push (every 10 minutes) starts the refresh (the ticket is not valid)'),
  errcodeRule(40083, 'configuration', `${w.reprobed} (invalid suite_id)`),
  errcodeRule(40001, 'configuration', `${w.reprobed} (invalid suite_secret)`),
  errcodeRule(40091, 'configuration', `${w.reprobed} (suite_secret invalid)`),
  errcodeRule(60020, 'configuration', `${w.reprobed} (caller IP not allowed)`),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** Obtains the `suite_access_token` (the same one until it expires) with the latest ticket. */
async function refresh(config: WecomSuiteConfig, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const ticket = ticketOf(grant, 'wecom_suite', 'suite_ticket');
  const secrets = [config.suiteSecret, ticket];
  return scrubbingErrors(secrets, async () => {
    const body = { suite_id: config.suiteId, suite_secret: config.suiteSecret, suite_ticket: ticket };
    const url = joinUrl(config.baseUrl, '/cgi-bin/service/get_suite_token');
    const token = await postForToken({ provider: 'wecom_suite', url, body, rules, tokenField: 'suite_access_token', secrets }, ctx);
    return { token: { ...token, renewableAt: token.expiresAt, metadata: { suiteId: config.suiteId } } };
  });
}

/** The `wecom_suite` provider. */
export const wecomSuiteProvider = defineProvider<WecomSuiteConfig>({
  name: 'wecom_suite',
  fields: wecomSuiteFields,
  configSchema: wecomSuiteConfigSchema,
  needsRefreshToken: false,
  optionalGrant: true,
  classification: rules,
  summary: { grant: 'WeCom third-party `/cgi-bin/service/get_suite_token` with the pushed `suite_ticket`', refreshToken: 'the latest pushed ticket', repeatsToken: 'yes, until expiry' },
  refresh,
});
