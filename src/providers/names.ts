/**
 * The name of every provider: the one place they are written out. Pure data with no imports,
 * because the workflow sandbox loads what derives from it (`ProviderName` in `../credential`).
 *
 * Adding a provider: add its name here and its module to the list in `./registry`.
 */

/** Every provider name, in documentation order. */
export const providerNames = [
  'oauth2',
  'oauth2_client_credentials',
  'jwt_bearer',
  'github_app',
  'wechat',
  'wechat_jsapi_ticket',
  'wechat_card_ticket',
  'wecom',
  'wecom_jsapi_ticket',
  'wechat_component',
  'wechat_authorizer',
  'wecom_suite',
  'wecom_corp',
] as const;

/** Names of the token endpoints Halflife can talk to. */
export type ProviderName = (typeof providerNames)[number];

/** True when `value` is the name of a provider. */
export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === 'string' && (providerNames as readonly string[]).includes(value);
}
