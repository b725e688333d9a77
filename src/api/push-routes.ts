/**
 * The platforms' callback routes, public (no API key: each request is authenticated by its
 * `msg_signature`, made with the credential's callback token):
 *
 * - `POST /v1/push/{id}?msg_signature&timestamp&nonce` with the encrypted XML body: WeChat's
 *   third-party platform pushing `component_verify_ticket` (the "authorization event URL") or
 *   WeCom pushing `suite_ticket` (the suite's command callback URL) for credential `id`. The push
 *   is verified, decrypted and its receiver id checked (src/platform/open-push.ts) before anything
 *   is stored; a ticket is then handed to the credential as its grant material, and the answer is
 *   the plain text `success` the platforms expect. Other messages (authorization events) are
 *   answered `success` and not stored.
 * - `GET /v1/push/{id}?msg_signature&timestamp&nonce&echostr`: WeCom's URL verification; answers
 *   the decrypted `echostr`.
 *
 * A refused push is a 400 `push_rejected` whose message names the reason (`bad_signature`,
 * `receiver_mismatch`, `undecryptable`, `malformed`, `bad_key`, `not_a_push_credential`); an id
 * without a push-receiving credential answers `not_a_push_credential` whether or not it exists.
 * No key, ticket or message is ever logged or answered.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { credentialIdPattern } from '../client/registration';
import { isHalflifeError, PushRejectedError } from '../errors';
import type { Logger } from '../logger';
import { encryptOfBody, openPush } from '../platform/open-push';
import type { PushClient } from '../platform/push-client';
import type { PushKeys } from '../platform/push-kinds';
import { parseParams } from './schemas';

/** Options of `pushRoutes`. */
export interface PushRoutesOptions {
  push: PushClient;
  logger: Logger;
}

const part = (name: string) => z.string({ error: 'is required' }).min(1, 'is required').max(256, `${name} must be at most 256 characters`);
const signedQuery = { msg_signature: part('msg_signature'), timestamp: part('timestamp'), nonce: part('nonce') };
// Not strict: WeChat adds `signature` and `encrypt_type` (and may add more); only the signed parts are read.
const postQuerySchema = z.object(signedQuery);
const getQuerySchema = z.object({ ...signedQuery, echostr: z.string({ error: 'is required' }).min(1, 'is required').max(8192) });

type PushRoute = { Params: { id: string } };

/** The push keys of `id`; a credential that does not exist or receives no pushes is refused alike. */
async function keysOf(push: PushClient, id: string): Promise<PushKeys> {
  if (!credentialIdPattern.test(id)) throw new PushRejectedError('not_a_push_credential', 'no push-receiving credential has this id');
  const keys = await push.pushKeys(id).catch((err: unknown) => {
    if (isHalflifeError(err, 'CredentialNotFoundError')) return null;
    throw err;
  });
  if (!keys) throw new PushRejectedError('not_a_push_credential', 'no push-receiving credential has this id');
  return keys;
}

/** Registers the callback routes (see the module comment). */
export const pushRoutes: FastifyPluginAsync<PushRoutesOptions> = async (app: FastifyInstance, { push, logger }) => {
  for (const type of ['text/xml', 'application/xml']) app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post<PushRoute>('/v1/push/:id', async (request, reply) => {
    const query = parseParams(postQuerySchema, request.query);
    const body = typeof request.body === 'string' ? request.body : '';
    const encrypt = encryptOfBody(body);
    const keys = await keysOf(push, request.params.id);
    const opened = openPush(keys, { msgSignature: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, encrypt });
    if (opened.ticket !== undefined) {
      await push.deliverTicket(request.params.id, opened.ticket);
      logger.info({ credentialId: request.params.id, infoType: opened.infoType }, 'pushed ticket stored');
    } else {
      logger.info({ credentialId: request.params.id, infoType: opened.infoType ?? 'none' }, 'push verified; not a ticket, nothing stored');
    }
    return reply.code(200).type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send('success');
  });

  app.get<PushRoute>('/v1/push/:id', async (request, reply) => {
    const query = parseParams(getQuerySchema, request.query);
    const keys = await keysOf(push, request.params.id);
    const opened = openPush({ ...keys, infoType: '' }, { msgSignature: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, encrypt: query.echostr });
    return reply.code(200).type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send(opened.xml);
  });
};
