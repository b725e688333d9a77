/**
 * Configuration of the OAuth 2.0 providers (`oauth2` and `oauth2_client_credentials`): one schema,
 * since both talk to a token endpoint with a client id and secret.
 */
import { z } from 'zod';
import { optionalBoolean, requiredString, secretString } from './config-fields';
import { endpointUrl, refuseInsecureHttp } from './url';

/** The client authentication methods supported at the token endpoint (RFC 6749 §2.3.1). */
export const clientAuthMethods = ['client_secret_basic', 'client_secret_post'] as const;

/** Zod schema of an OAuth 2.0 provider's configuration. */
export const oauth2ConfigSchema = z
  .object({
    /** The token endpoint URL (https, or http on loopback / with `allowInsecureHttp`). */
    tokenEndpoint: endpointUrl(),
    /** The client identifier. */
    clientId: requiredString(),
    /** The client secret (secret). */
    clientSecret: secretString(),
    /** How the client authenticates. @default 'client_secret_basic' */
    clientAuth: z.enum(clientAuthMethods, { error: `must be one of ${clientAuthMethods.join(', ')}` }).default('client_secret_basic'),
    /** Space-separated scopes to request; omitted means the server's default (or the originally granted ones). */
    scope: z.string({ error: 'must be a string' }).max(4096, 'must be at most 4096 characters').optional(),
    /** Allows a plain-http token endpoint that is not on loopback. @default false */
    allowInsecureHttp: optionalBoolean(),
  })
  .strict()
  .superRefine(refuseInsecureHttp('tokenEndpoint'));

/** A validated OAuth 2.0 provider configuration (defaults filled in). */
export type OAuth2Config = z.infer<typeof oauth2ConfigSchema>;

/** The secret fields of an OAuth 2.0 configuration. */
export const oauth2SecretFields = ['clientSecret'] as const;
