/**
 * The `wecom_corp` provider, derived from a `wecom_suite` credential: the access token of one corp
 * that installed the suite, from `POST /cgi-bin/service/get_corp_token?suite_access_token=…` with
 * the corp id and its permanent code (the grant, `grant.refreshToken`; it does not rotate). WeCom
 * repeats a live corp token until it expires, like `gettoken`.
 */
import type { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, requiredString } from './config-fields';
import { scrubbingErrors } from './errcode-api';
import { childGrantOf, missingGrantRule, postForToken } from './platform-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { parentOf, parentSetting, parentTokenRule } from './ticket-api';
import { joinUrl } from './url';

/** The `wecom_corp` configuration fields. */
export const wecomCorpFields = {
  authCorpid: field(requiredString(64), { type: 'string', doc: 'the corp id of the installing corp (`auth_corpid`; not secret)' }),
};

/** Zod schema of the `wecom_corp` configuration. */
export const wecomCorpConfigSchema = configObject(wecomCorpFields);

/** A validated `wecom_corp` configuration. */
export type WecomCorpConfig = z.infer<typeof wecomCorpConfigSchema>;

const rules = [
  missingGrantRule('the permanent code'),
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  parentTokenRule(40082, 'invalid suite_access_token'),
  parentTokenRule(42009, 'suite_access_token expired'),
  errcodeRule(40084, 'reauth', 'not retried: `reauth_required` until `reauthorize` brings a new permanent code (the corp installs the suite again)'),
  errcodeRule(45009, 'transient', `API call limit reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(40013, 'configuration', `${w.reprobed} (invalid auth_corpid)`),
  errcodeRule(60020, 'configuration', `${w.reprobed} (caller IP not allowed)`),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** Obtains the corp's access token (the same one until it expires) with the suite's token and the permanent code. */
async function refresh(config: WecomCorpConfig, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const permanentCode = childGrantOf(grant, 'wecom_corp', 'the permanent code');
  const parent = parentOf(ctx, 'wecom_corp');
  const url = joinUrl(parentSetting(parent, 'baseUrl', 'https://qyapi.weixin.qq.com'), '/cgi-bin/service/get_corp_token');
  url.searchParams.set('suite_access_token', parent.accessToken);
  const secrets = [permanentCode, parent.accessToken];
  return scrubbingErrors(secrets, async () => {
    const body = { auth_corpid: config.authCorpid, permanent_code: permanentCode };
    const token = await postForToken({ provider: 'wecom_corp', url, body, rules, tokenField: 'access_token', secrets }, ctx);
    return { token: { ...token, renewableAt: token.expiresAt, metadata: { corpId: config.authCorpid, suiteId: parentSetting(parent, 'suiteId') } } };
  });
}

/** The `wecom_corp` provider. */
export const wecomCorpProvider = defineProvider<WecomCorpConfig>({
  name: 'wecom_corp',
  fields: wecomCorpFields,
  configSchema: wecomCorpConfigSchema,
  needsRefreshToken: true,
  derivedFrom: ['wecom_suite'],
  classification: rules,
  summary: { grant: "WeCom `/cgi-bin/service/get_corp_token` with a `wecom_suite` parent's token and the corp's permanent code", refreshToken: 'the permanent code (not rotated)', repeatsToken: 'yes, until expiry' },
  refresh,
});
