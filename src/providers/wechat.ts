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
import { optionalBoolean, requiredString, secretString } from './config-fields';
import { maxForceRefreshPerDay } from '../workflows/force-budget';
import { callErrcodeApi, keepRepeated, scrubbingErrors, throwOnErrcode, tokenFromAnswer } from './errcode-api';
import type { Provider, ProviderContext, ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** Zod schema of the `wechat` configuration. */
export const wechatConfigSchema = z
  .object({
    /** The AppID (not secret). */
    appid: requiredString(64),
    /** The AppSecret (secret). */
    secret: secretString(),
    /** Base URL of the API. @default 'https://api.weixin.qq.com' */
    baseUrl: endpointUrl({ allowQuery: false }).default('https://api.weixin.qq.com'),
    /** Use `/cgi-bin/stable_token` instead of `/cgi-bin/token`. @default false */
    stable: z.boolean({ error: 'must be true or false' }).default(false),
    /** How long before expiry the stable endpoint starts issuing a new token. @default 300_000 */
    renewWindowMs: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(7_200_000, 'must be at most 7200000')
      .default(300_000),
    /** Stable mode: `force_refresh` calls this credential may make in any rolling day. @default 10 */
    forceRefreshPerDay: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(maxForceRefreshPerDay, `must be at most ${maxForceRefreshPerDay}`)
      .optional(),
    /** Stable mode: minimum time between two `force_refresh` calls. @default 60_000 */
    forceRefreshMinIntervalMs: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(86_400_000, 'must be at most 86400000')
      .optional(),
    /** Allows a plain-http `baseUrl` that is not on loopback. @default false */
    allowInsecureHttp: optionalBoolean(),
  })
  .strict()
  .superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wechat` configuration. */
export type WechatConfig = z.infer<typeof wechatConfigSchema>;

/** Obtains the current access token (a new one, or in stable mode possibly the same one again). */
async function refresh(config: WechatConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  return scrubbingErrors([config.secret], async () => {
    const body = config.stable
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
    throwOnErrcode('wechat', body, ctx.now(), [config.secret]);
    const fresh = tokenFromAnswer(body, ctx);
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
export const wechatProvider: Provider<WechatConfig> = {
  name: 'wechat',
  configSchema: wechatConfigSchema,
  needsRefreshToken: false,
  secretFields: ['secret'],
  refresh,
};
