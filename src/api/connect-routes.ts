/**
 * The connect routes (docs/connect.md): `POST /v1/credentials/{id}/connect` creates a connect
 * session (scope `connect`, which `admin` implies) and answers 201 `{ url, session, expires_at }`;
 * `GET /v1/credentials/{id}/connect` lists its pending sessions; `GET /connect/{session}` (no
 * key: the link is the capability) redirects to the provider; `GET /connect/callback` (no key:
 * `state` is the capability) completes the session and shows a small page, or JSON to a client
 * that asks for `application/json`.
 *
 * The token in a link and the code and state in a callback are secrets: these routes log their
 * requests by path only (`/connect/…`), never with the query or the token.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer, outcomeAnswer, pendingAnswer, type ConnectAnswer } from '../connect/answers';
import type { ConnectClient } from '../connect/connect-client';
import { pageHeaders, renderPage } from '../connect/pages';
import type { ConnectError } from '../connect/errors';
import { credentialIdPattern } from '../client/registration';
import { InvalidRequestError, isHalflifeError, PermissionDeniedError } from '../errors';
import { authenticateRequest, requireKey } from './auth';
import { createdSessionResponse, sessionResponse } from './connect-responses';
import { createConnectSession } from './connect-actions';
import type { ApiTokenClient } from './credential-routes';
import type { ApiKeys } from './keys';

/** The part of ConnectClient the API uses. */
export type ApiConnectClient = Pick<ConnectClient, 'create' | 'open' | 'complete' | 'pending' | 'redirectUri'>;

/** Options of `connectRoutes`. */
export interface ConnectRoutesOptions {
  connect: ApiConnectClient;
  tokenClient: ApiTokenClient;
  keys: ApiKeys;
}

type IdRoute = { Params: { id: string } };

/** Logs a connect request by its path prefix only: the rest of its URL is a capability or a code. */
const quietLog = { logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: '/connect/…' }) } };

/** True when the caller prefers JSON to HTML. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function send(request: FastifyRequest, reply: FastifyReply, answer: ConnectAnswer): FastifyReply {
  if (wantsJson(request)) return reply.code(answer.status).header('Cache-Control', 'no-store').send(answer.json);
  return reply.code(answer.status).headers(pageHeaders).send(renderPage(answer.page));
}

/** Registers the connect routes (mount at the root). */
export const connectRoutes: FastifyPluginAsync<ConnectRoutesOptions> = async (app: FastifyInstance, options) => {
  const { connect, tokenClient, keys } = options;

  app.post<IdRoute>('/v1/credentials/:id/connect', { onRequest: requireKey(keys, 'connect', 'credential') }, async (request, reply) => {
    const { id } = request.params;
    const created = await createConnectSession(connect, tokenClient, id, request.body, request.apiKey?.name);
    return reply.code(201).header('Cache-Control', 'no-store').send(createdSessionResponse(created));
  });

  // Who may create links for a credential may also see them: `read` or `connect` over the id.
  const readOrConnect = async (request: FastifyRequest<IdRoute>) => {
    const key = authenticateRequest(keys, request);
    const { id } = request.params;
    if (!credentialIdPattern.test(id)) throw new InvalidRequestError('id', 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (!keys.allows(key, 'read', id) && !keys.allows(key, 'connect', id)) throw new PermissionDeniedError('read', `this API key has neither read nor connect over credential ${id}`);
    request.apiKey = key;
  };

  app.get<IdRoute>('/v1/credentials/:id/connect', { onRequest: readOrConnect }, async (request, reply) => {
    const sessions = await connect.pending(request.params.id);
    return reply.header('Cache-Control', 'no-store').send({ sessions: sessions.map(sessionResponse) });
  });

  app.get('/connect/callback', quietLog, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const param = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    try {
      const result = await connect.complete({ state: param('state'), code: param('code'), error: param('error'), error_description: param('error_description'), iss: param('iss') });
      if ('pending' in result) return send(request, reply, pendingAnswer(result.credentialId));
      if (result.outcome.result !== 'connected') request.log.info({ result: result.outcome.result, code: result.outcome.code }, 'connect session ended without a grant');
      return send(request, reply, outcomeAnswer(result.credentialId, result.outcome));
    } catch (err) {
      if (!isConnectError(err)) throw err;
      request.log.info({ code: err.reason }, 'connect callback refused');
      return send(request, reply, errorAnswer(err));
    }
  });

  app.get<{ Params: { session: string } }>('/connect/:session', quietLog, async (request, reply) => {
    try {
      const location = await connect.open(request.params.session);
      return reply.code(302).headers({ Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).send();
    } catch (err) {
      if (!isConnectError(err)) throw err;
      return send(request, reply, errorAnswer(err));
    }
  });
};

function isConnectError(err: unknown): err is ConnectError {
  return isHalflifeError(err, 'ConnectError');
}
