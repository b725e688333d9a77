/**
 * The `wecom` provider: the access token of a WeCom (WeChat Work) application.
 *
 * `GET /cgi-bin/gettoken` repeats the same token, with a shrinking `expires_in`, until it expires:
 * a new token can only be had at expiry, so `renewableAt` is the expiry itself.
 */
import type { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, optionalBoolean, requiredString, secretString } from './config-fields';
import { callErrcodeApi, keepRepeated, scrubbingErrors, throwOnErrcode, tokenFromAnswer } from './errcode-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** The `wecom` configuration fields. Corp IDs are 18 characters (`ww` and 16 hex digits); 64 leaves room. */
export const wecomFields = {
  corpid: field(requiredString(64), { type: 'string', doc: 'the corp ID (not secret)' }),
  corpsecret: field(secretString(), { type: 'string, secret', doc: "the application's secret", secret: true }),
  baseUrl: field(endpointUrl({ allowQuery: false }).default('https://qyapi.weixin.qq.com'), { type: 'URL', doc: 'API base (a proxy, or a fake in tests)' }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http `baseUrl` that is not on loopback', docDefault: '`false`' }),
};

/** Zod schema of the `wecom` configuration. */
export const wecomConfigSchema = configObject(wecomFields).superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wecom` configuration. */
export type WecomConfig = z.infer<typeof wecomConfigSchema>;

const rules = [
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  errcodeRule(45009, 'transient', `API call limit reached; ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(40013, 'configuration', `${w.reprobed} (invalid corpid)`),
  errcodeRule(40001, 'configuration', `${w.reprobed} (invalid corpsecret)`),
  errcodeRule(40091, 'configuration', `${w.reprobed} (corpsecret invalid)`),
  errcodeRule(60020, 'configuration', `${w.reprobed} (caller IP not allowed)`),
  errcodeRule(41002, 'configuration', `${w.reprobed} (corpid missing)`),
  errcodeRule(41004, 'configuration', `${w.reprobed} (corpsecret missing)`),
  errcodeRule(42001, 'transient', `not expected from gettoken; ${w.backoff}`, 1_000),
  errcodeRule(40014, 'transient', `not expected from gettoken; ${w.backoff}`, 1_000),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** Obtains the current access token (the same one until it expires). */
async function refresh(config: WecomConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  return scrubbingErrors([config.corpsecret], async () => {
    const url = joinUrl(config.baseUrl, '/cgi-bin/gettoken');
    url.searchParams.set('corpid', config.corpid);
    url.searchParams.set('corpsecret', config.corpsecret);
    const answer = await callErrcodeApi(url, { method: 'GET', headers: { accept: 'application/json' } }, ctx);
    throwOnErrcode('wecom', rules, answer.body, ctx.now(), [config.corpsecret]);
    const token = keepRepeated(tokenFromAnswer(answer, ctx), ctx.current);
    return { token: { ...token, renewableAt: token.expiresAt } };
  });
}

/** The `wecom` provider. */
export const wecomProvider = defineProvider<WecomConfig>({
  name: 'wecom',
  fields: wecomFields,
  configSchema: wecomConfigSchema,
  needsRefreshToken: false,
  classification: rules,
  summary: { grant: 'WeCom `/cgi-bin/gettoken`', refreshToken: 'no', repeatsToken: 'yes, until expiry' },
  refresh,
});
