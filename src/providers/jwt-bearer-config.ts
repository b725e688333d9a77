/**
 * Configuration of the `jwt_bearer` provider: the key and claims of the assertion (RFC 7523 §3),
 * or a Google service account key file taken as it is downloaded (`type: service_account`), plus
 * the token-request extras. With a service account, `issuer`, `tokenEndpoint` and `keyId` default
 * to its `client_email`, `token_uri` and `private_key_id` (and are filled in, so `describe` shows
 * them); its `private_key` stays inside the secret `serviceAccount` field.
 */
import { z } from 'zod';
import { configObject, field, integer, optionalBoolean, requiredString } from './config-fields';
import { requestExtraFields } from './request-extras';
import { keyProblem, privateKeySchema, signingAlgorithms, signingAlgorithmSchema } from './signing-key';
import { endpointUrl, refuseInsecureHttp } from './url';

/** Where Google service accounts get their tokens when the key file names no `token_uri`. */
export const googleTokenUri = 'https://oauth2.googleapis.com/token';

/** Claims Halflife sets itself; `claims` may not name them. */
export const reservedClaims: readonly string[] = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'];

/** The fields of a Google service account key file Halflife uses (the others are dropped). */
const serviceAccountObject = z.object(
  {
    type: z.literal('service_account', { error: 'must be "service_account" (a Google service account key file)' }),
    client_email: requiredString(320),
    private_key: requiredString(16_384),
    private_key_id: requiredString(256).optional(),
    token_uri: endpointUrl().optional(),
  },
  { error: 'must be a service account key file: its JSON object, or its text' },
);

/** A service account key file: its parsed object, or its JSON text. */
const serviceAccountSchema = z
  .unknown()
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON: give the key file\'s content, or its parsed object' });
      return z.NEVER;
    }
  })
  .pipe(serviceAccountObject);

/** Extra claims: a JSON object (at most 4096 characters as JSON) without the claims Halflife sets. */
const claimsSchema = z.record(z.string(), z.json(), { error: 'must be an object of JSON values' }).superRefine((claims, ctx) => {
  for (const name of Object.keys(claims)) {
    if (reservedClaims.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is set by Halflife (use `issuer`, `subject`, `audience` or `assertionLifetimeMs`)' });
  }
  if (JSON.stringify(claims).length > 4096) ctx.addIssue({ code: 'custom', message: 'must be at most 4096 characters as JSON' });
});

const fromAccount = (what: string) => `required, unless \`serviceAccount\` (then its \`${what}\`)`;

/** The `jwt_bearer` configuration fields. */
export const jwtBearerFields = {
  tokenEndpoint: field(endpointUrl().optional(), { type: 'URL', doc: 'the token endpoint the assertion is sent to', requiredUnless: 'serviceAccount', docDefault: fromAccount('token_uri') }),
  serviceAccount: field(serviceAccountSchema.optional(), {
    type: 'object or JSON text, secret',
    doc: 'a Google service account key file as downloaded (`type: service_account`): the key, `issuer` and `tokenEndpoint` come from it',
    secret: true,
  }),
  privateKey: field(privateKeySchema().optional(), {
    type: 'PEM or JWK, secret',
    doc: 'the private key that signs the assertion (PEM in PKCS#8, PKCS#1 or SEC1, or a private JWK)',
    secret: true,
    requiredUnless: 'serviceAccount',
    docDefault: 'required, unless `serviceAccount`',
  }),
  keyId: field(requiredString(256).optional(), { type: 'string', doc: 'the `kid` header of the assertion', docDefault: 'none (with `serviceAccount`: its `private_key_id`)' }),
  signingAlgorithm: field(signingAlgorithmSchema(), {
    type: signingAlgorithms.join(', '),
    doc: 'the JWS algorithm of the assertion',
    docDefault: 'by key type: `RS256` (RSA), `ES256`/`ES384`/`ES512` (EC by curve), `EdDSA` (Ed25519)',
  }),
  issuer: field(requiredString(1024).optional(), { type: 'string', doc: 'the `iss` claim (the client or account the assertion speaks for)', requiredUnless: 'serviceAccount', docDefault: fromAccount('client_email') }),
  subject: field(requiredString(1024).optional(), {
    type: 'string',
    doc: 'the `sub` claim (the user acted for: a Salesforce username, a Google Workspace user for domain-wide delegation)',
    docDefault: '`issuer`; with `serviceAccount`, none',
  }),
  audience: field(requiredString(2048).optional(), { type: 'string', doc: 'the `aud` claim (e.g. `https://login.salesforce.com`)', docDefault: 'the token endpoint' }),
  scope: field(z.string({ error: 'must be a string' }).max(4096, 'must be at most 4096 characters').optional(), {
    type: 'string',
    doc: 'space-separated scopes: the `scope` request parameter, or with `serviceAccount` the `scope` claim (as Google wants it)',
  }),
  claims: field(claimsSchema.optional(), { type: 'object', doc: 'more claims of the assertion (not secret: `describe` shows them)' }),
  assertionLifetimeMs: field(integer(10_000, 3_600_000).default(180_000), {
    type: 'integer ms',
    doc: 'how long each assertion is valid (`exp` − `iat`); Salesforce allows 3 minutes, Google an hour',
  }),
  ...requestExtraFields,
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http endpoint that is not on loopback', docDefault: '`false`' }),
};

type Shape = { serviceAccount?: { private_key: string }; privateKey?: string; signingAlgorithm?: (typeof signingAlgorithms)[number]; scope?: string; claims?: Record<string, unknown> };

/** One key, usable with the algorithm; no `scope` in two places. */
function checkKey(config: Shape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (config.serviceAccount !== undefined && config.privateKey !== undefined) issue(['privateKey'], 'is not used with serviceAccount (its private_key is the key)');
  const [key, path] = config.serviceAccount !== undefined ? [config.serviceAccount.private_key, ['serviceAccount', 'private_key']] : [config.privateKey, ['privateKey']];
  const problem = key === undefined ? undefined : keyProblem(key, config.signingAlgorithm);
  if (problem) issue(config.signingAlgorithm !== undefined && problem.startsWith('cannot sign') ? ['signingAlgorithm'] : path, problem);
  if (config.scope !== undefined && config.claims !== undefined && 'scope' in config.claims) issue(['claims', 'scope'], 'is given by `scope` already');
}

/** Zod schema of the `jwt_bearer` configuration; a service account fills `issuer`, `tokenEndpoint` and `keyId`. */
export const jwtBearerConfigSchema = configObject(jwtBearerFields)
  .superRefine(checkKey)
  .transform((config) => {
    const account = config.serviceAccount;
    if (account === undefined) return config;
    return {
      ...config,
      issuer: config.issuer ?? account.client_email,
      tokenEndpoint: config.tokenEndpoint ?? account.token_uri ?? googleTokenUri,
      ...(config.keyId ?? account.private_key_id ? { keyId: config.keyId ?? account.private_key_id } : {}),
    };
  })
  .superRefine(refuseInsecureHttp('tokenEndpoint'));

/** A validated `jwt_bearer` configuration. */
export type JwtBearerConfig = z.infer<typeof jwtBearerConfigSchema>;
