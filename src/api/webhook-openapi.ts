/**
 * The webhook routes in the OpenAPI document: paths, the request bodies (generated from the zod
 * schemas the server validates with) and the answers (./webhook-responses.ts).
 */
import { defaultEgressPolicy } from '../egress';
import { subscriptionBodySchema } from '../webhooks/subscription-input';
import { json, ref, schemaOf } from './openapi-parts';
import { rotateSecretBodySchema } from './webhook-routes';
import { createdWebhookResponseSchema, rotatedWebhookResponseSchema, testWebhookResponseSchema, webhookListResponseSchema, webhookResponseSchema } from './webhook-responses';

type Json = Record<string, unknown>;

const error = (description: string): Json => ({ description, ...json(ref('Error')) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } };
const auth = { '401': error('no API key, or an unknown one'), '403': error('the key lacks admin over all credentials') };

function op(summary: string, extra: Json, responses: Json): Json {
  return {
    summary,
    description: 'Needs an API key with the `admin` scope over all credentials (`"*"`).',
    'x-halflife-scope': 'admin',
    ...extra,
    responses: { ...responses, ...auth, '503': error('Temporal unavailable (Retry-After)') },
  };
}

/** The webhook paths. */
export function webhookPaths(): Json {
  const withId = { parameters: [idParam] };
  const ok = (name: string, status = '200', description = 'OK'): Json => ({ [status]: { description, ...json(ref(name)) } });
  const notFound = { '400': error('bad id'), '404': error('webhook_not_found') };
  return {
    '/v1/webhooks': {
      post: op('Subscribe a URL to credential events; answers the signing secret once', { requestBody: { required: true, ...json(ref('WebhookBody')) } }, {
        ...ok('WebhookCreated', '201', 'Created'),
        '400': error('body not JSON or not an object'),
        '409': error('webhook_conflict: the registry is full'),
        '422': error('a body field is invalid; `field` names it, `rule` the egress rule that refused the URL'),
      }),
      get: op('Every subscription with its state and last deliveries (never a secret)', {}, ok('WebhookList')),
    },
    '/v1/webhooks/{id}': {
      get: op('One subscription with its state and last deliveries', withId, { ...ok('Webhook'), ...notFound }),
      delete: op('Remove a subscription', withId, { ...ok('Webhook'), ...notFound, '409': error('webhook_conflict: configured in HALFLIFE_WEBHOOKS') }),
    },
    '/v1/webhooks/{id}/rotate-secret': {
      post: op('Give a subscription a new secret; the previous one keeps signing for keep_previous_s', { ...withId, requestBody: { required: false, ...json(ref('WebhookRotateBody')) } }, {
        ...ok('WebhookRotated'),
        ...notFound,
        '409': error('webhook_conflict: configured in HALFLIFE_WEBHOOKS'),
        '422': error('secret or keep_previous_s invalid'),
      }),
    },
    '/v1/webhooks/{id}/enable': {
      post: op('Set a subscription active again after a 410 or a failure', withId, { ...ok('Webhook'), ...notFound }),
    },
    '/v1/webhooks/{id}/test': {
      post: op('Send a webhook.test delivery through a worker and answer how the receiver took it', withId, { ...ok('WebhookTest'), ...notFound, '503': error('no_worker: no worker sent it in time') }),
    },
  };
}

/** The webhook components. */
export function webhookSchemas(): Json {
  return {
    WebhookBody: schemaOf(subscriptionBodySchema(defaultEgressPolicy({})), 'input'),
    WebhookRotateBody: schemaOf(rotateSecretBodySchema, 'input'),
    Webhook: schemaOf(webhookResponseSchema, 'output'),
    WebhookCreated: schemaOf(createdWebhookResponseSchema, 'output'),
    WebhookRotated: schemaOf(rotatedWebhookResponseSchema, 'output'),
    WebhookTest: schemaOf(testWebhookResponseSchema, 'output'),
    WebhookList: schemaOf(webhookListResponseSchema, 'output'),
  };
}
