/**
 * The `wechat` provider: the access token of a WeChat Official Account or Mini Program.
 *
 * `stable: false` uses `GET /cgi-bin/token` (every call issues a new token; the previous one keeps
 * working for about five minutes). `stable: true` uses `POST /cgi-bin/stable_token`, which repeats
 * the current token until the last `renewWindowMs` of its life; a forced call (`ctx.forced`, a
 * consumer reported the token invalid, and the workflow found it within the credential's force
 * budget, see `../workflows/force-budget`) sets `force_refresh`.
 */
import { z } from 'zod';
import type { Grant } from '../credential';
import { errcodeOtherRule, errcodeRule, errcodeWords as w, malformedRules, transportRules } from './classification';
import { configObject, field, integer, optionalBoolean, requiredString, secretString } from './config-fields';
import { maxForceRefreshPerDay } from '../workflows/force-budget';
import { callErrcodeApi, keepRepeated, scrubbingErrors, throwOnErrcode, tokenFromAnswer } from './errcode-api';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** The `wechat` configuration fields. AppIDs are 18 characters (`wx` and 16 hex digits); 64 leaves room. */
export const wechatFields = {
  appid: field(requiredString(64), { type: 'string', doc: 'the AppID (not secret)' }),
  secret: field(secretString(), { type: 'string, secret', doc: 'the AppSecret', secret: true }),
  baseUrl: field(endpointUrl({ allowQuery: false }).default('https://api.weixin.qq.com'), { type: 'URL', doc: 'API base (a proxy, or a fake in tests)' }),
  stable: field(z.boolean({ error: 'must be true or false' }).default(false), { type: 'boolean', doc: 'use `/cgi-bin/stable_token` instead of `/cgi-bin/token`' }),
  renewWindowMs: field(integer(0, 7_200_000).default(300_000), { type: 'integer ms', doc: 'stable mode: how long before expiry WeChat starts issuing a new token' }),
  forceRefreshPerDay: field(integer(0, maxForceRefreshPerDay).optional(), {
    type: `integer 0–${maxForceRefreshPerDay}`,
    doc: 'stable mode: `force_refresh` calls this credential may make in any rolling 24 hours (0: never)',
    docDefault: '`10`',
  }),
  forceRefreshMinIntervalMs: field(integer(0, 86_400_000).optional(), { type: 'integer ms', doc: 'stable mode: minimum time between two `force_refresh` calls', docDefault: '`60000`' }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http `baseUrl` that is not on loopback', docDefault: '`false`' }),
};

/** Zod schema of the `wechat` configuration. */
export const wechatConfigSchema = configObject(wechatFields).superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wechat` configuration. */
export type WechatConfig = z.infer<typeof wechatConfigSchema>;

const rules = [
  errcodeRule(-1, 'transient', `system busy; ${w.backoff}, at least 2 s apart`, 2_000),
  errcodeRule(45009, 'transient', `daily quota reached (or \`force_refresh\` budget spent); ${w.midnight}`, 'next_midnight_utc8'),
  errcodeRule(45011, 'transient', `minute quota reached; ${w.backoff}, at least 60 s apart`, 60_000),
  errcodeRule(40001, 'configuration', `${w.reprobed} (wrong AppSecret)`),
  errcodeRule(40125, 'configuration', `${w.reprobed} (invalid AppSecret)`),
  errcodeRule(40013, 'configuration', `${w.reprobed} (invalid AppID)`),
  errcodeRule(40164, 'configuration', `${w.reprobed} (caller IP not in the whitelist)`),
  errcodeRule(41002, 'configuration', `${w.reprobed} (appid missing)`),
  errcodeRule(41004, 'configuration', `${w.reprobed} (secret missing)`),
  errcodeRule(40002, 'configuration', `${w.reprobed} (invalid grant_type)`),
  errcodeRule(89503, 'configuration', `${w.reprobed} (this IP needs an administrator's confirmation)`),
  errcodeRule(89501, 'configuration', `${w.reprobed} (this IP awaits an administrator's confirmation)`),
  errcodeOtherRule,
  ...transportRules,
  ...malformedRules,
];

/** Obtains the current access token (a new one, or in stable mode possibly the same one again). */
async function refresh(config: WechatConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  return scrubbingErrors([config.secret], async () => {
    const answer = config.stable
      ? await callErrcodeApi(
          joinUrl(config.baseUrl, '/cgi-bin/stable_token'),
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ grant_type: 'client_credential', appid: config.appid, secret: config.secret, force_refresh: ctx.forced === true }),
          },
          ctx,
        )
      : await callErrcodeApi(tokenUrl(config), { method: 'GET', headers: { accept: 'application/json' } }, ctx);
    throwOnErrcode('wechat', rules, answer.body, ctx.now(), [config.secret]);
    const fresh = tokenFromAnswer(answer, ctx);
    if (!config.stable) return { token: fresh };
    const token = keepRepeated(fresh, ctx.current);
    return { token: { ...token, renewableAt: Math.max(token.issuedAt, token.expiresAt - config.renewWindowMs) } };
  });
}

/** The `/cgi-bin/token` URL with its query (the secret travels in it, as WeChat requires). */
function tokenUrl(config: WechatConfig): URL {
  const url = joinUrl(config.baseUrl, '/cgi-bin/token');
  url.searchParams.set('grant_type', 'client_credential');
  url.searchParams.set('appid', config.appid);
  url.searchParams.set('secret', config.secret);
  return url;
}

/** The `wechat` provider. */
export const wechatProvider = defineProvider<WechatConfig>({
  name: 'wechat',
  fields: wechatFields,
  configSchema: wechatConfigSchema,
  needsRefreshToken: false,
  classification: rules,
  summary: { grant: 'WeChat `/cgi-bin/token` or `/cgi-bin/stable_token`', refreshToken: 'no', repeatsToken: 'stable mode only' },
  refresh,
});
