/**
 * The `wecom` provider: the access token of a WeCom (WeChat Work) application.
 *
 * `GET /cgi-bin/gettoken` repeats the same token, with a shrinking `expires_in`, until it expires:
 * a new token can only be had at expiry, so `renewableAt` is the expiry itself.
 */
import { z } from 'zod';
import type { Grant } from '../credential';
import { optionalBoolean, requiredString, secretString } from './config-fields';
import { callErrcodeApi, keepRepeated, scrubbingErrors, throwOnErrcode, tokenFromAnswer } from './errcode-api';
import type { Provider, ProviderContext, ProviderResult } from './provider';
import { endpointUrl, joinUrl, refuseInsecureHttp } from './url';

/** Zod schema of the `wecom` configuration. */
export const wecomConfigSchema = z
  .object({
    /** The corp ID (not secret). */
    corpid: requiredString(64),
    /** The application's secret (secret). */
    corpsecret: secretString(),
    /** Base URL of the API. @default 'https://qyapi.weixin.qq.com' */
    baseUrl: endpointUrl({ allowQuery: false }).default('https://qyapi.weixin.qq.com'),
    /** Allows a plain-http `baseUrl` that is not on loopback. @default false */
    allowInsecureHttp: optionalBoolean(),
  })
  .strict()
  .superRefine(refuseInsecureHttp('baseUrl'));

/** A validated `wecom` configuration. */
export type WecomConfig = z.infer<typeof wecomConfigSchema>;

/** Obtains the current access token (the same one until it expires). */
async function refresh(config: WecomConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  return scrubbingErrors([config.corpsecret], async () => {
    const url = joinUrl(config.baseUrl, '/cgi-bin/gettoken');
    url.searchParams.set('corpid', config.corpid);
    url.searchParams.set('corpsecret', config.corpsecret);
    const body = await callErrcodeApi(url, { method: 'GET', headers: { accept: 'application/json' } }, ctx);
    throwOnErrcode('wecom', body, ctx.now(), [config.corpsecret]);
    const token = keepRepeated(tokenFromAnswer(body, ctx), ctx.current);
    return { token: { ...token, renewableAt: token.expiresAt } };
  });
}

/** The `wecom` provider. */
export const wecomProvider: Provider<WecomConfig> = {
  name: 'wecom',
  configSchema: wecomConfigSchema,
  needsRefreshToken: false,
  secretFields: ['corpsecret'],
  refresh,
};
