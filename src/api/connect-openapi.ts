/**
 * The connect routes in the OpenAPI document: paths, the request body (generated from the zod
 * schema the server validates with) and the answers (from ./connect-responses.ts).
 */
import { z } from 'zod';
import { connectBodySchema } from '../connect/profile';
import { createdSessionResponseSchema, outcomeResponseSchema, sessionResponseSchema } from './connect-responses';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ content: { 'application/json': { schema } } });
const html = { 'text/html': { schema: { type: 'string' } } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } };
const error = (description: string): Json => ({ description, ...json(ref('Error')) });

/** The connect paths. */
export function connectPaths(): Json {
  const callbackResponse = (description: string): Json => ({ description, content: { ...html, 'application/json': { schema: ref('ConnectCallback') } } });
  return {
    '/v1/credentials/{id}/connect': {
      post: {
        summary: 'Create a connect link (or device code) that gives the credential a new grant when a person authorizes',
        description: 'Needs an API key with the `connect` scope (or `admin`).',
        'x-halflife-scope': 'connect',
        parameters: [idParam],
        requestBody: { required: false, ...json(ref('ConnectBody')) },
        responses: { '201': { description: 'Created', ...json(ref('ConnectSession')) }, '401': error('no key'), '403': error('no scope'), '409': error('provider_mismatch'), '422': error('a body field is invalid; `field` names it') },
      },
      get: {
        summary: 'The pending connect sessions of a credential',
        description: 'Needs an API key with the `read` or `connect` scope.',
        parameters: [idParam],
        responses: { '200': { description: 'OK', ...json({ type: 'object', properties: { sessions: { type: 'array', items: ref('ConnectSessionView') } } }) } },
      },
    },
    '/connect/{session}': {
      get: {
        summary: 'A connect link: redirects (302) to the authorization server while the session is pending, else a page saying why not',
        security: [],
        parameters: [{ name: 'session', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '302': { description: 'to the authorization server' }, '404': callbackResponse('unknown_session'), '409': callbackResponse('session_used'), '410': callbackResponse('session_expired') },
      },
    },
    '/connect/callback': {
      get: {
        summary: 'The redirect URI to register at the provider: completes the session once, answers a page (or JSON with Accept: application/json)',
        security: [],
        responses: {
          '200': callbackResponse('connected'),
          '202': callbackResponse('the hand-over is still running'),
          '400': callbackResponse('missing_state, missing_code'),
          '403': callbackResponse('denied (access_denied)'),
          '404': callbackResponse('unknown_session'),
          '409': callbackResponse('session_used (a replayed callback), session_in_progress'),
          '410': callbackResponse('session_expired'),
          '422': callbackResponse('no_refresh_token'),
          '502': callbackResponse('exchange_failed, handover_failed'),
        },
      },
    },
  };
}

/** The connect components. */
export function connectSchemas(): Json {
  return {
    ConnectBody: schemaOf(connectBodySchema, 'input'),
    ConnectSession: schemaOf(createdSessionResponseSchema, 'output'),
    ConnectSessionView: schemaOf(sessionResponseSchema, 'output'),
    ConnectCallback: {
      type: 'object',
      properties: { result: { type: 'string' }, credential_id: { type: 'string' }, registration: { type: 'string' }, version: { type: 'integer' }, error: ref('Error') },
    },
    ConnectOutcome: schemaOf(outcomeResponseSchema, 'output'),
  };
}
