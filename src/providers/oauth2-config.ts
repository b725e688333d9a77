/**
 * Configuration of the OAuth 2.0 providers (`oauth2` and `oauth2_client_credentials`): one field
 * list, since both talk to a token endpoint as a client: with a secret (`client_secret_basic`,
 * `client_secret_post`) or a private key (`private_key_jwt`), plus the token-request extras.
 */
import { z } from 'zod';
import { configObject, field, optionalBoolean, requiredString, secretString } from './config-fields';
import { presetNames } from './presets';
import { audienceField, requestExtraFields } from './request-extras';
import { keyProblem, privateKeySchema, signingAlgorithms, signingAlgorithmSchema } from './signing-key';
import { endpointUrl, refuseInsecureHttp } from './url';

/** The client authentication methods supported at the token endpoint (RFC 6749 §2.3.1, RFC 7523 §2.2). */
export const clientAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** A client authentication method. */
export type ClientAuthMethod = (typeof clientAuthMethods)[number];

/** The methods that authenticate with `clientSecret`. */
export const secretAuthMethods: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

const withKey = '`private_key_jwt` only';

/** The OAuth 2.0 configuration fields. */
export const oauth2Fields = {
  tokenEndpoint: field(endpointUrl().optional(), {
    type: 'URL',
    doc: 'the token endpoint (may carry a query); found by discovery when only `issuer` is given',
    requiredUnless: 'issuer',
  }),
  issuer: field(endpointUrl({ allowQuery: false }).optional(), {
    type: 'URL',
    doc: 'the OpenID Connect / OAuth 2.0 issuer: an `id_token` in an answer is checked against it, and without `tokenEndpoint` it is discovered from it',
    docDefault: 'none: an `id_token` is ignored',
  }),
  clientId: field(requiredString(1024), { type: 'string', doc: 'the client identifier' }),
  clientSecret: field(secretString().optional(), {
    type: 'string, secret',
    doc: 'the client secret (`client_secret_basic`, `client_secret_post`)',
    secret: true,
    docDefault: 'required, unless `clientAuth` is `private_key_jwt`',
  }),
  clientAuth: field(z.enum(clientAuthMethods, { error: `must be one of ${clientAuthMethods.join(', ')}` }).default('client_secret_basic'), {
    type: clientAuthMethods.map((m) => `\`${m}\``).join(' \\| '),
    doc: 'how the client authenticates (RFC 6749 §2.3.1; `private_key_jwt`: a signed client assertion, RFC 7523 §2.2)',
    apiFillsDefault: true,
  }),
  privateKey: field(privateKeySchema().optional(), {
    type: 'PEM or JWK, secret',
    doc: `${withKey}: the private key that signs the client assertion (PEM in PKCS#8, PKCS#1 or SEC1, or a private JWK)`,
    secret: true,
    docDefault: 'required with `private_key_jwt`',
  }),
  keyId: field(requiredString(256).optional(), { type: 'string', doc: `${withKey}: the \`kid\` header of the client assertion (the key's id at the server)` }),
  signingAlgorithm: field(signingAlgorithmSchema(), {
    type: signingAlgorithms.join(', '),
    doc: `${withKey}: the JWS algorithm of the client assertion`,
    docDefault: 'by key type: `RS256` (RSA), `ES256`/`ES384`/`ES512` (EC by curve), `EdDSA` (Ed25519)',
  }),
  assertionAudience: field(requiredString(2048).optional(), { type: 'string', doc: `${withKey}: the \`aud\` of the client assertion`, docDefault: 'the token endpoint' }),
  scope: field(z.string({ error: 'must be a string' }).max(4096, 'must be at most 4096 characters').optional(), {
    type: 'string',
    doc: 'space-separated scopes to ask for on every refresh; omitted: the server\'s default (or the originally granted ones)',
  }),
  audience: audienceField,
  ...requestExtraFields,
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http endpoint that is not on loopback', docDefault: '`false`' }),
  preset: field(z.enum(presetNames as [string, ...string[]], { error: `must be one of ${presetNames.join(', ')}` }).optional(), {
    type: 'preset name',
    doc: 'the provider preset whose quirks apply: its error rows, answer quirks and refresh-token lifetime (registration by `preset` sets it; see docs/presets.md)',
  }),
  reuseGraceMs: field(z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').max(86_400_000, 'must be at most 86400000').optional(), {
    type: 'integer (ms)',
    doc: "how long the provider still accepts a rotated-away refresh token (its reuse grace window, e.g. Okta's 30 s): a retry after a worker crash mid-request is then sent at once, inside the window",
    docDefault: 'none: such a retry first waits until the crashed request has certainly ended',
  }),
};

type Fields = { clientAuth: ClientAuthMethod; clientSecret?: string; privateKey?: string; keyId?: string; signingAlgorithm?: (typeof signingAlgorithms)[number]; assertionAudience?: string };

/** The credentials of the chosen client authentication: a secret for the secret methods, a usable key for `private_key_jwt`. */
function checkClientAuth(config: Fields, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (config.clientAuth !== 'private_key_jwt') {
    if (config.clientSecret === undefined) issue('clientSecret', 'is required');
    for (const name of ['privateKey', 'keyId', 'signingAlgorithm', 'assertionAudience'] as const) {
      if (config[name] !== undefined) issue(name, 'is only used with clientAuth private_key_jwt');
    }
    return;
  }
  if (config.clientSecret !== undefined) issue('clientSecret', 'is not used with clientAuth private_key_jwt (the private key authenticates the client)');
  if (config.privateKey === undefined) return issue('privateKey', 'is required with clientAuth private_key_jwt');
  const problem = keyProblem(config.privateKey, config.signingAlgorithm);
  if (problem) issue(config.signingAlgorithm !== undefined && problem.startsWith('cannot sign') ? 'signingAlgorithm' : 'privateKey', problem);
}

/** Zod schema of an OAuth 2.0 provider's configuration. */
export const oauth2ConfigSchema = configObject(oauth2Fields).superRefine(refuseInsecureHttp('tokenEndpoint', 'issuer')).superRefine(checkClientAuth);

/** A validated OAuth 2.0 provider configuration (defaults filled in). */
export type OAuth2Config = z.infer<typeof oauth2ConfigSchema>;
