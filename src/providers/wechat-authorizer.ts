/**
 * The `wechat_authorizer` provider, derived from a `wechat_component` credential: the
 * `authorizer_access_token` of one Official Account or Mini Program that authorized the platform,
 * from `POST /cgi-bin/component/api_authorizer_token?component_access_token=…` with the
 * account's `authorizer_refresh_token` as the grant.
 *
 * WeChat may answer a new `authorizer_refresh_token`; it then replaces the held one exactly as a
 * rotated OAuth refresh token does (the answer is made durable before it is read, and a rotated
 * token in an answer that fails otherwise is kept), so a restart of anything never replays a dead one.
 */
import type { z } from 'zod';
import type { Grant, TokenSet } from '../credential';
import { isHalflifeError, ProviderError } from '../errors';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, requiredString } from './config-fields';
import { keepRepeated, scrubbingErrors, tokenFromAnswer } from './errcode-api';
import { childGrantOf, missingGrantRule, postForAnswer } from './platform-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { parentOf, parentSetting, parentTokenRule } from './ticket-api';
import { joinUrl } from './url';

/** The `wechat_authorizer` configuration fields. */
export const wechatAuthorizerFields = {
  authorizerAppid: field(requiredString(64), { type: 'string', doc: "the authorized account's AppID (`authorizer_appid`; not secret)" }),
};

/** Zod schema of the `wechat_authorizer` configuration. */
export const wechatAuthorizerConfigSchema = configObject(wechatAuthorizerFields);

/** A validated `wechat_authorizer` configuration. */
export type WechatAuthorizerConfig = z.infer<typeof wechatAuthorizerConfigSchema>;

const reauthorize = 'not retried: `reauth_required` until `reauthorize` brings a new `authorizer_refresh_token` (the account authorizes the platform again)';

const rules = [
  missingGrantRule('an `authorizer_refresh_token`'),
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  parentTokenRule(40001, 'invalid or superseded component_access_token'),
  parentTokenRule(40014, 'invalid component_access_token'),
  parentTokenRule(42001, 'component_access_token expired'),
  parentTokenRule(41001, 'component_access_token missing'),
  errcodeRule(61023, 'reauth', `${reauthorize} (the authorizer_refresh_token is not valid)`),
  errcodeRule(61003, 'reauth', `${reauthorize} (the account has not authorized, or has revoked, the platform)`),
  errcodeRule(45009, 'transient', `daily quota reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(61004, 'configuration', `${w.reprobed} (caller IP not in the platform's whitelist)`),
  errcodeRule(40013, 'configuration', `${w.reprobed} (invalid authorizer AppID)`),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** The rotated refresh token of an answer, when it names one different from `held`. */
function rotatedOf(body: Record<string, unknown>, held: string): string | undefined {
  const value = body.authorizer_refresh_token;
  return typeof value === 'string' && value !== '' && value !== held ? value : undefined;
}

/** Obtains an `authorizer_access_token` with the component's token, keeping a rotated refresh token. */
async function refresh(config: WechatAuthorizerConfig, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const held = childGrantOf(grant, 'wechat_authorizer', 'the `authorizer_refresh_token`');
  const parent = parentOf(ctx, 'wechat_authorizer');
  const componentAppid = parentSetting(parent, 'componentAppid');
  const url = joinUrl(parentSetting(parent, 'baseUrl', 'https://api.weixin.qq.com'), '/cgi-bin/component/api_authorizer_token');
  url.searchParams.set('component_access_token', parent.accessToken);
  const secrets = [held, parent.accessToken];
  return scrubbingErrors(secrets, async () => {
    const body = { component_appid: componentAppid, authorizer_appid: config.authorizerAppid, authorizer_refresh_token: held };
    const answer = await postForAnswer({ provider: 'wechat_authorizer', url, body, rules, secrets }, ctx);
    const refreshToken = rotatedOf(answer.body, held);
    let token: TokenSet;
    try {
      token = keepRepeated(tokenFromAnswer(answer, ctx, 'authorizer_access_token'), ctx.current);
    } catch (err) {
      // Unusable otherwise, but it carried a new refresh token: WeChat may have retired the held one, so the failure keeps it.
      if (!refreshToken || !isHalflifeError<ProviderError>(err, 'ProviderError')) throw err;
      throw new ProviderError(err.kind, err.code, err.message, { httpStatus: 200, rotatedRefreshToken: refreshToken });
    }
    return { token: { ...token, metadata: { appId: config.authorizerAppid, componentAppid } }, ...(refreshToken ? { refreshToken } : {}) };
  });
}

/** The `wechat_authorizer` provider. */
export const wechatAuthorizerProvider = defineProvider<WechatAuthorizerConfig>({
  name: 'wechat_authorizer',
  fields: wechatAuthorizerFields,
  configSchema: wechatAuthorizerConfigSchema,
  needsRefreshToken: true,
  derivedFrom: ['wechat_component'],
  classification: rules,
  summary: { grant: "WeChat `/cgi-bin/component/api_authorizer_token` with a `wechat_component` parent's token and the account's `authorizer_refresh_token`", refreshToken: 'yes (`authorizer_refresh_token`), rotation aware', repeatsToken: 'no' },
  refresh,
});
