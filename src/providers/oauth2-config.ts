/**
 * Configuration of the OAuth 2.0 providers (`oauth2` and `oauth2_client_credentials`): one field
 * list, since both talk to a token endpoint with a client id and secret.
 */
import { z } from 'zod';
import { configObject, field, optionalBoolean, requiredString, secretString } from './config-fields';
import { endpointUrl, refuseInsecureHttp } from './url';

/** The client authentication methods supported at the token endpoint (RFC 6749 §2.3.1). */
export const clientAuthMethods = ['client_secret_basic', 'client_secret_post'] as const;

/** A client authentication method. */
export type ClientAuthMethod = (typeof clientAuthMethods)[number];

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
  clientSecret: field(secretString(), { type: 'string, secret', doc: 'the client secret', secret: true }),
  clientAuth: field(z.enum(clientAuthMethods, { error: `must be one of ${clientAuthMethods.join(', ')}` }).default('client_secret_basic'), {
    type: clientAuthMethods.map((m) => `\`${m}\``).join(' \\| '),
    doc: 'how the client authenticates (RFC 6749 §2.3.1)',
    apiFillsDefault: true,
  }),
  scope: field(z.string({ error: 'must be a string' }).max(4096, 'must be at most 4096 characters').optional(), {
    type: 'string',
    doc: 'space-separated scopes to ask for on every refresh; omitted: the server\'s default (or the originally granted ones)',
  }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http endpoint that is not on loopback', docDefault: '`false`' }),
  reuseGraceMs: field(z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').max(86_400_000, 'must be at most 86400000').optional(), {
    type: 'integer (ms)',
    doc: "how long the provider still accepts a rotated-away refresh token (its reuse grace window, e.g. Okta's 30 s): a retry after a worker crash mid-request is then sent at once, inside the window",
    docDefault: 'none: such a retry first waits until the crashed request has certainly ended',
  }),
};

/** Zod schema of an OAuth 2.0 provider's configuration. */
export const oauth2ConfigSchema = configObject(oauth2Fields).superRefine(refuseInsecureHttp('tokenEndpoint', 'issuer'));

/** A validated OAuth 2.0 provider configuration (defaults filled in). */
export type OAuth2Config = z.infer<typeof oauth2ConfigSchema>;
