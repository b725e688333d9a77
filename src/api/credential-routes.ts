/**
 * The `/v1/credentials` routes: register or replace, read a token, refresh, reauthorize, describe,
 * list and revoke, each behind its scope (read: token, describe, list; refresh: refresh; admin:
 * register, reauthorize, revoke). Every answer is `Cache-Control: no-store`.
 *
 * PUT on an existing credential (same provider) replaces its provider configuration and grant and
 * refreshes at once with them (the `reauthorize` update); the version keeps counting and the
 * history stays. It does not change the provider (409 `provider_mismatch`: revoke first), does not
 * use a supplied `access_token` (a new token is fetched), and applies policy fields only when the
 * client offers `reconfigure`; whatever was not applied is listed in `ignored_fields`. With a
 * provider that rotates refresh tokens, replaying a PUT with a refresh token that has since been
 * rotated away is rejected by the provider and leaves the credential in `reauth_required`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CredentialDescription, TokenView } from '../credential';
import type { EgressPolicy } from '../egress';
import type { TokenClient } from '../client/token-client';
import type { ReconfigureRequest } from '../messages';
import { requireKey } from './auth';
import { inApiTerms, reauthorizeFrom, registerOrReplace } from './credential-actions';
import type { ApiConnectClient } from './connect-routes';
import { sessionResponse } from './connect-responses';
import type { ApiKeys } from './keys';
import type { ApiMetrics } from './metrics';
import { describeResponse, summaryResponse, tokenResponse } from './responses';
import { listQuerySchema, parseBody, parseParams, refreshBodySchema, tokenQuerySchema } from './schemas';

/** The part of `TokenClient` the API uses (tests pass an in-memory stand-in). */
export type ApiTokenClient = Pick<TokenClient, 'register' | 'getToken' | 'refresh' | 'reauthorize' | 'describe' | 'revoke' | 'list'> & {
  /** Changes policy or settings of a running credential; when present, PUT-replace applies policy fields. */
  reconfigure?(id: string, request: ReconfigureRequest): Promise<CredentialDescription>;
};

/** Options of `credentialRoutes`. */
export interface CredentialRoutesOptions {
  tokenClient: ApiTokenClient;
  keys: ApiKeys;
  metrics: ApiMetrics;
  /** Where registered outbound URLs may point (checked before the client is called). */
  egressPolicy: EgressPolicy;
  /** When connect links are served: `describe` lists the credential's pending connect sessions (`connect`). */
  connect?: Pick<ApiConnectClient, 'pending'>;
}

type IdRoute = { Params: { id: string } };

/** Registers the credential routes (mount at the root: paths are absolute). */
export const credentialRoutes: FastifyPluginAsync<CredentialRoutesOptions> = async (app: FastifyInstance, options) => {
  const { tokenClient: client, keys, metrics, egressPolicy } = options;
  const served = (id: string, token: TokenView) => {
    metrics.observeTokenServed(id, token.expiresAt);
    return tokenResponse(token);
  };
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.put<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request, reply) => {
    const { id } = request.params;
    const result = await registerOrReplace(client, id, request.body, { egressPolicy });
    if (result.created) {
      void reply.code(201).header('Location', `/v1/credentials/${id}`);
      return { id, provider: result.provider, created: true, token: served(id, result.token) };
    }
    const ignored = result.ignored.length ? { ignored_fields: result.ignored } : {};
    return { id, provider: result.provider, created: false, token: served(id, result.token), ...ignored };
  });

  app.get<IdRoute>('/v1/credentials/:id/token', { onRequest: requireKey(keys, 'read', 'credential') }, async (request) => {
    const { id } = request.params;
    const query = parseParams(tokenQuerySchema, request.query);
    const token = await inApiTerms(client.getToken(id, query.min_ttl_s === undefined ? {} : { minTtlMs: query.min_ttl_s * 1000 }));
    return served(id, token);
  });

  app.post<IdRoute>('/v1/credentials/:id/refresh', { onRequest: requireKey(keys, 'refresh', 'credential') }, async (request) => {
    const { id } = request.params;
    // No body (or an empty one) is `{}`; an explicit JSON `null` is not an object and is refused.
    const body = parseBody(refreshBodySchema, request.body === undefined ? {} : request.body);
    const outcome = await inApiTerms(client.refresh(id, body.stale_version === undefined ? {} : { staleVersion: body.stale_version }));
    return { ...served(id, outcome.token), refreshed: outcome.refreshed, ...(outcome.reason ? { reason: outcome.reason } : {}) };
  });

  app.post<IdRoute>('/v1/credentials/:id/reauthorize', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request) => {
    const { id } = request.params;
    return served(id, await reauthorizeFrom(client, id, request.body === undefined ? {} : request.body, { egressPolicy }));
  });

  app.get<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'read', 'credential') }, async (request) => {
    const full = describeResponse(await client.describe(request.params.id));
    // The connect link is a capability: only a key that may re-connect the credential sees it.
    const mayConnect = request.apiKey !== undefined && keys.allows(request.apiKey, 'connect', request.params.id);
    const { connect_link: link, ...rest } = full;
    const description = mayConnect && link ? { ...rest, connect_link: link } : rest;
    // Pending connect sessions are shown as they are found; a visibility hiccup never fails a describe.
    const pending = options.connect ? await options.connect.pending(request.params.id).catch(() => []) : [];
    return pending.length > 0 ? { ...description, connect: pending.map(sessionResponse) } : description;
  });

  app.get('/v1/credentials', { onRequest: requireKey(keys, 'read', 'scope-only') }, async (request) => {
    const filter = parseParams(listQuerySchema, request.query);
    const key = request.apiKey;
    const rows = await inApiTerms(client.list(filter as Parameters<ApiTokenClient['list']>[0]));
    return { credentials: rows.filter((row) => key !== undefined && keys.allows(key, 'read', row.id)).map(summaryResponse) };
  });

  app.delete<IdRoute>('/v1/credentials/:id', { onRequest: requireKey(keys, 'admin', 'credential') }, async (request) => {
    const { id } = request.params;
    const description = await client.revoke(id, `revoked through the HTTP API by ${request.apiKey?.name ?? 'a key'}`);
    metrics.forgetCredential(id);
    return describeResponse(description);
  });
};
