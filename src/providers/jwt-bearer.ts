/**
 * The `jwt_bearer` provider: a signed JWT exchanged for an access token (RFC 7523 §2.1), the way
 * Google service accounts, Salesforce's JWT bearer flow and many server-to-server APIs work.
 *
 * Each refresh signs a new assertion (jose; a fresh `jti`, `iat` now, `exp` after
 * `assertionLifetimeMs`) and sends it once: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 * with `assertion`, through oauth4webapi like the other OAuth 2.0 grants. No refresh token, no
 * client authentication: the assertion is the credential.
 */
import type { Grant } from '../credential';
import { notRetried, oauthRules, reprobed, type ClassificationRule } from './classification';
import { jwtBearerConfigSchema, jwtBearerFields, type JwtBearerConfig } from './jwt-bearer-config';
import { exchange } from './oauth2-exchange';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { extraParameters } from './request-extras';
import { epochSeconds, newJwtId, signJwt } from './signing-key';

/** The OAuth 2.0 rows, with `invalid_grant` and `invalid_client` worded for an assertion (and no discovery row). */
const rules: ClassificationRule[] = oauthRules(false)
  .filter((row) => row.match !== 'no token endpoint')
  .map((row) => {
    if (row.match === 'error=invalid_grant') {
      return { ...row, retry: `${reprobed} (the assertion was refused: wrong key, \`issuer\`, \`subject\` or \`audience\`, an account not approved or disabled, or a clock off by minutes)` };
    }
    if (row.match === 'error=invalid_client') return { ...row, retry: `${notRetried} (the server refused the client the assertion names)` };
    return row;
  });

/** The signed assertion of one refresh, issued at `now`. */
export async function jwtBearerAssertion(config: JwtBearerConfig, now: number): Promise<string> {
  const account = config.serviceAccount;
  const issuer = config.issuer ?? account?.client_email ?? '';
  const tokenEndpoint = config.tokenEndpoint ?? '';
  const subject = config.subject ?? (account === undefined ? issuer : undefined);
  const iat = epochSeconds(now);
  const claims = {
    ...config.claims,
    ...(account !== undefined && config.scope !== undefined ? { scope: config.scope } : {}),
    iss: issuer,
    ...(subject !== undefined ? { sub: subject } : {}),
    aud: config.audience ?? tokenEndpoint,
    iat,
    exp: iat + Math.round(config.assertionLifetimeMs / 1000),
    jti: newJwtId(),
  };
  const privateKey = account?.private_key ?? config.privateKey ?? '';
  return signJwt(claims, { privateKey, algorithm: config.signingAlgorithm, keyId: config.keyId ?? account?.private_key_id });
}

/** Obtains a token with a newly signed assertion. */
async function refresh(config: JwtBearerConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const assertion = await jwtBearerAssertion(config, ctx.now());
  const scopeParameter = config.serviceAccount === undefined && config.scope !== undefined ? [['scope', config.scope] as [string, string]] : [];
  return exchange(
    rules,
    {
      tokenEndpoint: config.tokenEndpoint,
      clientId: config.issuer ?? 'jwt-bearer',
      auth: () => undefined,
      grant: { type: 'jwt_bearer', assertion },
      // `audience` is the assertion's claim here, never a request parameter.
      parameters: [...scopeParameter, ...extraParameters({ resource: config.resource, extraParams: config.extraParams })],
      allowInsecureHttp: config.allowInsecureHttp,
      scope: config.scope,
      metadataFields: config.metadataFields,
      secrets: [assertion, config.privateKey, config.serviceAccount?.private_key],
    },
    ctx,
  );
}

/** The `jwt_bearer` (RFC 7523 §2.1) provider. */
export const jwtBearerProvider = defineProvider<JwtBearerConfig>({
  name: 'jwt_bearer',
  fields: jwtBearerFields,
  configSchema: jwtBearerConfigSchema,
  needsRefreshToken: false,
  classification: rules,
  summary: { grant: 'JWT bearer (RFC 7523 §2.1): a signed assertion, e.g. a Google service account', refreshToken: 'no', repeatsToken: 'no' },
  refresh,
});
