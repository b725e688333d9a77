/**
 * The HTTP API for consumers in other languages (Fastify): the `/v1/credentials` routes, the
 * provider presets (`/v1/presets`), health,
 * the OpenAPI document, Prometheus metrics and, when given a codec, the Web UI codec endpoint.
 * `createApiServer` builds the instance; the caller decides where it listens.
 *
 * Public without a key: `GET /healthz`, `GET /openapi.json`. `GET /metrics` needs `read` over
 * all credentials (its series name every credential). Request bodies are limited (64 KiB by
 * default; 413 beyond). Logging goes through the redacting service logger; one line per request
 * with the method, the route pattern (never the path or query as sent: they may carry anything)
 * and the status, never headers or bodies. Every 503 (health down, closing) carries `Retry-After`.
 * Every rejection, including those made before a route runs (the HTTP parser, 404, 405), is in the
 * error shape of `errors.ts` (`transport-errors.ts`, `unrouted.ts`).
 */
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { withDeadline } from '../client/deadline';
import { codecRoutes, type CodecAccess } from '../codec/codec-server';
import { defaultEgressPolicy, type EgressPolicy } from '../egress';
import { errorCodes } from '../errors';
import { createLogger, type Logger } from '../logger';
import { authenticateRequest, installAuth, requireKey } from './auth';
import { connectRoutes, type ApiConnectClient } from './connect-routes';
import { credentialRoutes, type ApiTokenClient } from './credential-routes';
import { apiErrorHandler, defaultRetryAfterS } from './errors';
import type { ApiKey, ApiKeys } from './keys';
import { ApiMetrics } from './metrics';
import { openApiDocument } from './openapi';
import type { PushClient } from '../platform/push-client';
import { presetRoutes } from './preset-routes';
import { pushRoutes } from './push-routes';
import { answerClientError, answerUnroutableRequests, requireHostHeader } from './transport-errors';
import { installUnroutedAnswers } from './unrouted';
import { webhookRoutes, type ApiWebhookClient } from './webhook-routes';

/** The part of TokenClient the API uses. */
export type { ApiTokenClient } from './credential-routes';

/** Reachability probes behind `GET /healthz`; each should resolve quickly (they are cut off after `timeoutMs`). */
export interface ApiHealthChecks {
  /** Whether Temporal answers (e.g. the gRPC health check). Required: without Temporal nothing works. */
  temporal(): Promise<boolean>;
  /** Whether Redis answers; omit when the deployment runs without Redis (reported as `disabled`). */
  redis?(): Promise<boolean>;
  /** @default 2000 */
  timeoutMs?: number;
}

/** The Web UI codec endpoint, served under `/codec`. */
export interface ApiCodecOptions {
  /** The payload codec the workers and clients use. */
  codec: PayloadCodec;
  /** Show secrets in decoded payloads by their shape only. @default true */
  redact?: boolean;
  /** Development only: answer loopback callers that send no key (the local Web UI sends none). @default false */
  allowLoopbackWithoutKey?: boolean;
}

/** Options of `createApiServer`. */
export interface ApiServerOptions {
  /** A TokenClient (or anything with the same methods). */
  tokenClient: ApiTokenClient;
  /** The configured API keys (`loadApiKeys`). */
  keys: ApiKeys;
  health: ApiHealthChecks;
  /** The redacting service logger. @default a silent logger */
  logger?: Logger;
  /** Serve the codec endpoint under `/codec`. @default not served */
  codec?: ApiCodecOptions;
  /** Origins of the Web UI allowed to call the codec endpoint from a browser (`HalflifeConfig.uiOrigins`). @default [] */
  uiOrigins?: readonly string[];
  /** @default a new `ApiMetrics` in its own registry */
  metrics?: ApiMetrics;
  /** Largest accepted request body in bytes (the codec endpoint has its own, larger limit). @default 65536 */
  bodyLimit?: number;
  /** Where registered outbound URLs may point (422 with the egress `rule` otherwise). @default `defaultEgressPolicy()` */
  egressPolicy?: EgressPolicy;
  /** Serve connect links (`/v1/credentials/{id}/connect`, `/connect/…`; see docs/connect.md). @default not served */
  connect?: ApiConnectClient;
  /** Serve the webhook routes (`/v1/webhooks`; see docs/webhooks.md): a `WebhookClient`. @default not served */
  webhooks?: ApiWebhookClient;
  /** Serve the platforms' ticket callbacks (`/v1/push/{id}`, public; see docs/providers.md): a `PushClient`. @default not served */
  push?: PushClient;
}

/** `ApiServerOptions` with every default filled in. */
export interface ResolvedApiServerOptions extends Required<Omit<ApiServerOptions, 'codec' | 'health' | 'connect' | 'webhooks' | 'push'>> {
  connect?: ApiConnectClient;
  push?: PushClient;
  webhooks?: ApiWebhookClient;
  health: Required<Pick<ApiHealthChecks, 'timeoutMs'>> & ApiHealthChecks;
  codec?: Required<ApiCodecOptions>;
}

/** Fills in the defaults of `ApiServerOptions` (see their `@default` tags). */
export function withApiServerDefaults(options: ApiServerOptions): ResolvedApiServerOptions {
  const { codec } = options;
  return {
    ...options,
    health: { timeoutMs: 2000, ...options.health },
    logger: options.logger ?? createLogger('silent'),
    codec: codec && { redact: true, allowLoopbackWithoutKey: false, ...codec },
    uiOrigins: options.uiOrigins ?? [],
    metrics: options.metrics ?? new ApiMetrics(),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    egressPolicy: options.egressPolicy ?? defaultEgressPolicy(),
  };
}

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

async function probe(check: (() => Promise<boolean>) | undefined, timeoutMs: number): Promise<boolean | 'disabled'> {
  if (!check) return 'disabled';
  return withDeadline(check().then(Boolean), timeoutMs, () => new Error('health check timed out')).catch(() => false);
}

/** The codec endpoint's access rule: a key with `read` over all credentials, or (if allowed) a keyless loopback caller. */
function codecAccess(keys: ApiKeys, allowLoopback: boolean) {
  return (request: FastifyRequest): CodecAccess => {
    if (request.headers.authorization === undefined) return allowLoopback && loopback.has(request.socket.remoteAddress ?? '');
    let key: ApiKey;
    try {
      key = authenticateRequest(keys, request);
    } catch {
      return false;
    }
    return keys.allowsAll(key, 'read') ? true : 'forbidden';
  };
}

/** Builds the API server (not listening); see the module comment. */
export function createApiServer(given: ApiServerOptions): FastifyInstance {
  const options = withApiServerDefaults(given);
  const { keys, health, bodyLimit, metrics } = options;
  // A pino Logger is a FastifyBaseLogger; the cast keeps the instance's type the default one callers expect.
  const loggerInstance = options.logger as FastifyBaseLogger;
  const onError = apiErrorHandler(bodyLimit);
  const app = Fastify({
    loggerInstance,
    bodyLimit,
    // Answered below instead, in the API's error shape and with Retry-After.
    return503OnClosing: false,
    // Longer than any valid id, so a too-long id is answered 400 naming `id` (beyond this: 414).
    routerOptions: { maxParamLength: 256 },
    // Malformed URLs and over-long parameters get the API's error shape too.
    frameworkErrors: (err, request, reply) => void onError(err, request, reply),
    // What the HTTP parser refuses, too; and HTTP/1.1 without Host is refused by a hook, not by Node's bare 400.
    clientErrorHandler: answerClientError,
    http: { requireHostHeader: false },
    // One line per request is logged below, without the path and query as sent.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: building one (bindings scrubbed, then pino's redaction compiled
    // again) was 14 % of the API's CPU in a 1,000-request storm. Lines carry the route instead.
    childLoggerFactory: (logger) => logger,
  });
  answerUnroutableRequests(app.server);
  installUnroutedAnswers(app);
  // Only JSON bodies: text/plain answers 415 instead of reaching a handler as a string. An empty
  // JSON body counts as no body (`curl -X POST -H 'Content-Type: application/json' .../refresh`).
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body.length === 0 ? done(null, undefined) : parseJson(request, body.toString(), done),
  );
  installAuth(app);
  app.setErrorHandler(onError);
  // While closing, new requests get a 503 with Retry-After (clients retry on another instance or after the restart).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return undefined;
    const error = { code: errorCodes.shuttingDown, message: 'the server is shutting down; try again' };
    return reply.code(503).headers({ 'Retry-After': String(defaultRetryAfterS), Connection: 'close' }).send({ error });
  });
  app.addHook('onRequest', requireHostHeader);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // Debug level: an access line through the redacting logger costs more than the request itself in a
    // storm; the Prometheus request metrics count every request (errors are logged by the error handler).
    request.log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
  });

  // Every route lives in a plugin, so hooks added to the instance before `ready()` see all of them.
  void app.register(async (api) => {
    api.get('/healthz', async (_request, reply) => {
      const { timeoutMs } = health;
      const redisCheck = health.redis ? () => health.redis?.() ?? Promise.resolve(false) : undefined;
      const [temporal, redis] = await Promise.all([probe(() => health.temporal(), timeoutMs), probe(redisCheck, timeoutMs)]);
      const up = temporal === true;
      if (!up) void reply.header('Retry-After', String(defaultRetryAfterS));
      return reply.code(up ? 200 : 503).header('Cache-Control', 'no-store').send({ status: up ? 'ok' : 'unavailable', temporal: up, redis });
    });
    const document = openApiDocument({ codec: options.codec !== undefined, connect: options.connect !== undefined, webhooks: options.webhooks !== undefined });
    api.get('/openapi.json', async () => document);
    api.get('/metrics', { onRequest: requireKey(keys, 'read', 'all') }, async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).header('Cache-Control', 'no-store').send(body);
    });
  });
  void app.register(presetRoutes, { keys });
  void app.register(credentialRoutes, { tokenClient: options.tokenClient, keys, metrics, egressPolicy: options.egressPolicy, connect: options.connect });
  if (options.connect) void app.register(connectRoutes, { connect: options.connect, tokenClient: options.tokenClient, keys });
  if (options.webhooks) void app.register(webhookRoutes, { webhooks: options.webhooks, keys });
  if (options.push) void app.register(pushRoutes, { push: options.push, logger: options.logger });
  if (options.codec) {
    const { codec, redact, allowLoopbackWithoutKey } = options.codec;
    void app.register(codecRoutes, {
      prefix: '/codec',
      codec,
      redact,
      corsOrigins: options.uiOrigins,
      authorize: codecAccess(keys, allowLoopbackWithoutKey),
    });
  }
  return app;
}
