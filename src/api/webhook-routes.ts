/**
 * The webhook routes (docs/webhooks.md), all needing `admin` over every credential (a
 * subscription's glob may cover any of them):
 *
 * - `POST /v1/webhooks` `{ url, events?, credentials?, secret?, description?, allow_insecure_http? }`
 *   → 201 the subscription and its `secret` (shown once), `warnings` for a glob matching no
 *   credential yet; 422 naming the field (invalid URL, egress rule, unknown event type, a glob
 *   that can match no credential id, a malformed secret).
 * - `GET /v1/webhooks`, `GET /v1/webhooks/{id}`: subscriptions with state and last deliveries.
 * - `DELETE /v1/webhooks/{id}`; `POST /v1/webhooks/{id}/rotate-secret` `{ secret?, keep_previous_s? }`;
 *   `POST /v1/webhooks/{id}/enable`; `POST /v1/webhooks/{id}/test` (a `webhook.test` delivery
 *   sent by a worker; answers how the receiver took it). Configured subscriptions answer 409 to
 *   removal and rotation.
 *
 * Every answer is `Cache-Control: no-store` (creation and rotation carry a secret).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidConfigError, InvalidRequestError } from '../errors';
import { webhookIdPattern } from '../webhooks/messages';
import type { WebhookClient } from '../webhooks/webhook-client';
import { requireKey } from './auth';
import type { ApiKeys } from './keys';
import { createdWebhookResponse, testWebhookResponse, webhookResponse } from './webhook-responses';

/** The part of `WebhookClient` the API uses. */
export type ApiWebhookClient = Pick<WebhookClient, 'list' | 'get' | 'create' | 'remove' | 'rotateSecret' | 'enable' | 'test'>;

/** Options of `webhookRoutes`. */
export interface WebhookRoutesOptions {
  webhooks: ApiWebhookClient;
  keys: ApiKeys;
}

type IdRoute = { Params: { id: string } };

/** Body of `POST /v1/webhooks/{id}/rotate-secret`. */
export const rotateSecretBodySchema = z.strictObject({
  secret: z.string({ error: 'must be a string' }).optional().describe('the new whsec_… secret; omitted: Halflife makes one'),
  keep_previous_s: z.number({ error: 'must be a number of seconds' }).int('must be a whole number').min(0, 'must be between 0 and 604800').max(604_800, 'must be between 0 and 604800').optional().describe('how long the previous secret keeps signing (default 86400; 0: it stops at once)'),
});

function idOf(request: FastifyRequest<IdRoute>): string {
  const { id } = request.params;
  if (!webhookIdPattern.test(id)) throw new InvalidRequestError('id', 'must be a webhook id: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return id;
}

function rotateBody(body: unknown): z.infer<typeof rotateSecretBodySchema> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('body', 'must be a JSON object');
  const parsed = rotateSecretBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? (issue.keys[0] ?? 'body') : String(issue?.path[0] ?? 'body');
  throw new InvalidConfigError(field, issue?.code === 'unrecognized_keys' ? 'is not a field of this request' : (issue?.message ?? 'is invalid'));
}

/** Registers the webhook routes (mount at the root). */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app: FastifyInstance, options) => {
  const { webhooks, keys } = options;
  const admin = { onRequest: requireKey(keys, 'admin', 'all') };

  app.post('/v1/webhooks', admin, async (request, reply) => {
    const created = await webhooks.create(request.body);
    return reply.code(201).header('Cache-Control', 'no-store').send(createdWebhookResponse(created));
  });

  app.get('/v1/webhooks', admin, async (_request, reply) => {
    const list = await webhooks.list();
    return reply.header('Cache-Control', 'no-store').send({ webhooks: list.map(webhookResponse) });
  });

  app.get<IdRoute>('/v1/webhooks/:id', admin, async (request, reply) => {
    return reply.header('Cache-Control', 'no-store').send(webhookResponse(await webhooks.get(idOf(request))));
  });

  app.delete<IdRoute>('/v1/webhooks/:id', admin, async (request, reply) => {
    return reply.header('Cache-Control', 'no-store').send(webhookResponse(await webhooks.remove(idOf(request))));
  });

  app.post<IdRoute>('/v1/webhooks/:id/rotate-secret', admin, async (request, reply) => {
    const id = idOf(request);
    const body = rotateBody(request.body);
    const rotated = await webhooks.rotateSecret(id, {
      ...(body.secret !== undefined ? { secret: body.secret } : {}),
      ...(body.keep_previous_s !== undefined ? { keepPreviousMs: body.keep_previous_s * 1000 } : {}),
    });
    return reply.header('Cache-Control', 'no-store').send({ ...webhookResponse(rotated.view), secret: rotated.secret });
  });

  app.post<IdRoute>('/v1/webhooks/:id/enable', admin, async (request, reply) => {
    return reply.header('Cache-Control', 'no-store').send(webhookResponse(await webhooks.enable(idOf(request))));
  });

  app.post<IdRoute>('/v1/webhooks/:id/test', admin, async (request, reply) => {
    return reply.header('Cache-Control', 'no-store').send(testWebhookResponse(await webhooks.test(idOf(request))));
  });
};
