/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`). Request and response schemas
 * are generated from the zod schemas the server validates with, so the two cannot disagree;
 * paths, scopes and status codes are listed here by hand.
 */
import { z } from 'zod';
import type { ProviderName } from '../credential';
import { providerNames } from '../providers/names';
import { getProvider } from '../providers/registry';
import { connectPaths, connectSchemas } from './connect-openapi';
import { webhookPaths, webhookSchemas } from './webhook-openapi';
import type { ApiScope } from './keys';
import * as r from './responses';
import * as s from './schemas';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** The component name of a provider's registration body: `oauth2` → `Oauth2Credential`. */
function bodyComponent(provider: ProviderName): string {
  return `${provider.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}Credential`;
}

/**
 * A provider's registration body. A field that is required unless another is given
 * (`token_endpoint` unless `issuer`) is optional in the schema; `anyOf` says one of the two is needed.
 */
function bodyDocument(provider: ProviderName): Json {
  const doc = schemaOf(s.providerBodySchemas[provider], 'input');
  const pairs = Object.entries(getProvider(provider).fields).flatMap(([name, f]) => (f.requiredUnless ? [[name, f.requiredUnless]] : []));
  if (pairs.length === 0) return doc;
  return { ...doc, allOf: pairs.map((pair) => ({ anyOf: pair.map((field) => ({ required: [s.snakeCase(field)] })) })) };
}
const json = (schema: Json): Json => ({ content: { 'application/json': { schema } } });
const errorRef = (description: string): Json => ({ description, ...json(ref('Error')) });
const errors: Record<string, Json> = {
  '400': errorRef('malformed request: body not JSON or not an object, bad id or query parameter'),
  '401': errorRef('no API key, or an unknown one'),
  '403': errorRef('the key lacks the scope or does not cover the credential'),
  '404': errorRef('no such credential (or it was revoked)'),
  '409': errorRef('credential_exists, provider_mismatch or reauth_required'),
  '413': errorRef('body too large'),
  '422': errorRef('a body field is invalid; `field` names it, `rule` the egress rule that refused an outbound URL'),
  '502': errorRef('the token endpoint failed'),
  '503': errorRef('no valid token in time, or Temporal unavailable (Retry-After)'),
};
const pick = (...codes: string[]): Json => Object.fromEntries(codes.map((c) => [c, errors[c]]));
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } };

function queryParams(schema: z.ZodObject): Json[] {
  const props = (schemaOf(schema, 'input').properties ?? {}) as Record<string, Json>;
  return Object.entries(props).map(([name, p]) => ({ name, in: 'query', required: false, schema: p }));
}

function op(summary: string, scope: ApiScope | undefined, extra: Json, ok: Json, ...failures: string[]): Json {
  const auth = scope ? ['401', '403'] : [];
  return {
    summary,
    ...(scope ? { description: `Needs an API key with the \`${scope}\` scope (or a stronger one).`, 'x-halflife-scope': scope } : { security: [] }),
    ...extra,
    responses: { ...ok, ...pick(...auth, ...failures) },
  };
}

/** Builds the document; `codec` adds the Web UI codec endpoint's routes, `connect` the connect routes, `webhooks` the webhook routes. */
export function openApiDocument(options: { codec?: boolean; connect?: boolean; webhooks?: boolean } = {}): Json {
  const ok = (name: string, description = 'OK', status = '200'): Json => ({ [status]: { description, ...json(ref(name)) } });
  const body = (name: string, required = true): Json => ({ requestBody: { required, ...json(ref(name)) } });
  const withId = { parameters: [idParam] };
  const codecPayloads = { type: 'object', required: ['payloads'], properties: { payloads: { type: 'array', items: { type: 'object' } } } };
  const codecOp = (summary: string): Json => ({
    summary,
    description: 'Temporal Web UI codec protocol. Needs a key with `read` over all credentials (or, in development, a loopback caller).',
    requestBody: { required: true, ...json(codecPayloads) },
    responses: { '200': { description: 'OK', ...json(codecPayloads) }, ...pick('401', '413') },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Halflife',
      version: '1',
      description: 'Keeps OAuth 2.0 and API access tokens fresh. Never returns a refresh token or a client/app secret.',
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/v1/credentials/{id}': {
        put: op(
          'Register a credential (201) or replace its configuration and grant (200)',
          'admin',
          { ...withId, ...body('CredentialBody') },
          { ...ok('PutResponse', 'Replaced'), ...ok('PutResponse', 'Created', '201') },
          '400', '409', '413', '422', '502', '503',
        ),
        get: op('Describe a credential (no secrets)', 'read', withId, ok('Description'), '400', '404', '503'),
        delete: op('Revoke a credential', 'admin', withId, ok('Description'), '400', '404', '503'),
      },
      '/v1/credentials/{id}/token': {
        get: op('A valid access token', 'read', { parameters: [idParam, ...queryParams(s.tokenQuerySchema)] }, ok('Token'), '400', '404', '409', '502', '503'),
      },
      '/v1/credentials/{id}/refresh': {
        post: op('Refresh now (answers at once when stale_version is already superseded)', 'refresh', { ...withId, ...body('RefreshBody', false) }, ok('RefreshResponse'), '400', '404', '409', '413', '422', '502', '503'),
      },
      '/v1/credentials/{id}/reauthorize': {
        post: op(
          'Re-authorize with a new grant, or with a full provider configuration',
          'admin',
          { ...withId, requestBody: { required: false, ...json({ oneOf: [ref('ReauthorizeGrant'), ref('CredentialBody')] }) } },
          ok('Token'),
          '400', '404', '409', '413', '422', '502', '503',
        ),
      },
      '/v1/credentials': {
        get: op('List credentials the key covers', 'read', { parameters: queryParams(s.listQuerySchema) }, ok('List'), '400', '503'),
      },
      '/healthz': { get: op('Temporal and Redis reachability', undefined, {}, { ...ok('Health'), '503': { description: 'Temporal unreachable', ...json(ref('Health')) } }) },
      '/openapi.json': { get: op('This document', undefined, {}, { '200': { description: 'OpenAPI 3.1 document', ...json({ type: 'object' }) } }) },
      '/metrics': {
        get: {
          ...op('Prometheus metrics', 'read', {}, { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }),
          description: 'Needs an API key with the `read` scope over all credentials (`"*"`): the series name every credential.',
        },
      },
      ...(options.connect ? connectPaths() : {}),
      ...(options.webhooks ? webhookPaths() : {}),
      ...(options.codec ? { '/codec/decode': { post: codecOp('Decode (and redact) payloads') }, '/codec/encode': { post: codecOp('Encode payloads') } } : {}),
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key from HALFLIFE_API_KEYS' } },
      schemas: {
        CredentialBody: { oneOf: providerNames.map((name) => ref(bodyComponent(name))), discriminator: { propertyName: 'provider' } },
        ...Object.fromEntries(providerNames.map((name) => [bodyComponent(name), bodyDocument(name)])),
        RefreshBody: schemaOf(s.refreshBodySchema, 'input'),
        ReauthorizeGrant: schemaOf(s.reauthorizeGrantSchema, 'input'),
        Token: schemaOf(r.tokenResponseSchema, 'output'),
        RefreshResponse: schemaOf(r.refreshResponseSchema, 'output'),
        PutResponse: schemaOf(r.putResponseSchema, 'output'),
        Description: schemaOf(r.describeResponseSchema, 'output'),
        List: schemaOf(r.listResponseSchema, 'output'),
        Health: schemaOf(r.healthResponseSchema, 'output'),
        Error: schemaOf(r.errorResponseSchema, 'output'),
        ...(options.connect ? connectSchemas() : {}),
        ...(options.webhooks ? webhookSchemas() : {}),
      },
    },
  };
}
