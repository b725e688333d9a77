/**
 * Configuration of the `github_app` provider: the app (its id or client id, and its private key),
 * the installation, the API base (GitHub Enterprise Server: `https://HOST/api/v3`) and the optional
 * narrowing of each installation token to some repositories and permissions.
 */
import { z } from 'zod';
import { configObject, field, optionalBoolean } from './config-fields';
import { requestExtraFields } from './request-extras';
import { keyProblem, privateKeySchema } from './signing-key';
import { endpointUrl, refuseInsecureHttp } from './url';

/** The levels a GitHub App permission can have. */
export const permissionLevels = ['read', 'write', 'admin'] as const;

/** Most repositories one installation token can be narrowed to (GitHub's limit). */
export const maxRepositories = 500;

/** The app id (digits) or the app's client id (`Iv1.…`, `Iv23…`), as a string; a number is taken too. */
const appIdSchema = z
  .union([z.string(), z.number().int('must be an integer').positive('must be positive')], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string or a number') })
  .transform((value) => String(value))
  .refine((value) => /^[A-Za-z0-9._-]{1,64}$/.test(value), 'must be the app id (digits) or its client id');

/** A positive integer id; a string of digits is taken too. */
const idSchema = z
  .union([z.number(), z.string().regex(/^\d{1,19}$/, 'must be a positive integer')], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a positive integer') })
  .transform((value) => Number(value))
  .refine((value) => Number.isSafeInteger(value) && value > 0, 'must be a positive integer');

const repositoryName = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a repository name without its owner (letters, digits, ".", "_", "-")');

const permissionsSchema = z
  .record(
    z.string().regex(/^[a-z][a-z_]{0,63}$/, 'must be a permission name such as contents or pull_requests'),
    z.enum(permissionLevels, { error: `must be one of ${permissionLevels.join(', ')}` }),
    { error: 'must be an object of permission names and levels' },
  )
  .refine((permissions) => Object.keys(permissions).length > 0, 'must name at least one permission (omit it to get all the app has)');

/** The `github_app` configuration fields. */
export const githubAppFields = {
  appId: field(appIdSchema, { type: 'string or integer', doc: 'the app id, or the app\'s client id (both are accepted as the JWT `iss`)' }),
  privateKey: field(privateKeySchema(), { type: 'PEM or JWK, secret', doc: 'the app\'s private key (the `.pem` GitHub generates, PKCS#1; RSA, RS256)', secret: true }),
  installationId: field(idSchema, { type: 'integer', doc: 'the installation to mint tokens for (from `GET /app/installations`, or a webhook)' }),
  baseUrl: field(endpointUrl({ allowQuery: false }).default('https://api.github.com'), { type: 'URL', doc: 'REST API base; GitHub Enterprise Server: `https://HOST/api/v3`' }),
  repositories: field(z.array(repositoryName, { error: 'must be a list of repository names' }).min(1, 'must not be empty').max(maxRepositories, `must list at most ${maxRepositories}`).optional(), {
    type: 'list of strings',
    doc: 'narrow each token to these repositories (names, without the owner)',
    docDefault: 'none: every repository of the installation',
  }),
  repositoryIds: field(z.array(idSchema, { error: 'must be a list of repository ids' }).min(1, 'must not be empty').max(maxRepositories, `must list at most ${maxRepositories}`).optional(), {
    type: 'list of integers',
    doc: 'narrow each token to these repository ids',
    docDefault: 'none',
  }),
  permissions: field(permissionsSchema.optional(), {
    type: 'object',
    doc: 'narrow each token to these permissions, e.g. `{"contents": "read"}`',
    docDefault: 'none: every permission the installation granted',
  }),
  metadataFields: field(requestExtraFields.metadataFields.schema, {
    type: 'list of strings',
    doc: 'answer fields kept with the token as non-secret metadata and returned by `getToken` (e.g. `repository_selection`; objects such as `permissions` as JSON)',
  }),
  allowInsecureHttp: field(optionalBoolean(), { type: 'boolean', doc: 'allow a plain-http `baseUrl` that is not on loopback', docDefault: '`false`' }),
};

/** The key must be an RSA key: GitHub signs and checks app JWTs with RS256 only. */
function checkKey(config: { privateKey: string }, ctx: z.RefinementCtx): void {
  const problem = keyProblem(config.privateKey, 'RS256');
  if (problem) ctx.addIssue({ code: 'custom', path: ['privateKey'], message: problem });
}

/** Zod schema of the `github_app` configuration. */
export const githubAppConfigSchema = configObject(githubAppFields).superRefine(refuseInsecureHttp('baseUrl')).superRefine(checkKey);

/** A validated `github_app` configuration. */
export type GithubAppConfig = z.infer<typeof githubAppConfigSchema>;
