/**
 * Requests no route answers: 405 `method_not_allowed` with `Allow` when the path has routes for
 * other methods (`POST /v1/credentials/x/token`, `PROPFIND /healthz`), else 404 `not_found`.
 * The routes are learnt from Fastify's `onRoute` hook, so the answer follows what is registered.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { errorCodes } from '../errors';

/** One registered path pattern and the methods it has. */
interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** `/v1/credentials/:id/token` → a regex over a raw path (a parameter is one non-empty segment; `*` anything). */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Collects the routes of `app` (call before any route is registered) and sets the not-found
 * handler answering 404 or 405 in the error shape.
 */
export function installUnroutedAnswers(app: FastifyInstance): void {
  const paths = new Map<string, KnownPath>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const known = paths.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
    paths.set(route.url, known);
  });
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = new Set<string>();
    for (const known of paths.values()) if (known.pattern.test(path)) known.methods.forEach((m) => allowed.add(m));
    if (allowed.size > 0 && !allowed.has(request.method)) {
      const allow = [...allowed].sort().join(', ');
      return reply.code(405).header('Allow', allow).send({ error: { code: errorCodes.methodNotAllowed, message: `this path answers ${allow} only` } });
    }
    return reply.code(404).send({ error: { code: errorCodes.notFound, message: `no route for ${request.method} on this path` } });
  });
}
