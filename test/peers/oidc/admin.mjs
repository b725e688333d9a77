/**
 * The peer's admin API: a small JSON HTTP API on its own loopback port, so the controller can
 * steer the provider (clients, grants, rotation, delays, failures, outages) and read what it saw
 * even while the provider's own port refuses connections.
 */
import { failureBody } from './token-gate.mjs';

class AdminError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, 'body: is not JSON');
  }
}

/** Validates a rotation setting (throws naming the field). */
export function parseRotation(value, field = 'rotation') {
  if (value === 'strict' || value === 'none') return value;
  if (value && typeof value === 'object' && Number.isFinite(value.graceMs) && value.graceMs >= 0) return { graceMs: value.graceMs };
  throw new AdminError(400, `${field}: must be 'strict', 'none' or { graceMs: number >= 0 }, got ${JSON.stringify(value)}`);
}

const nonNegative = (value, field) => {
  if (!Number.isFinite(value) || value < 0) throw new AdminError(400, `${field}: must be a number >= 0, got ${JSON.stringify(value)}`);
  return value;
};

/** Builds the admin request handler over the peer's parts (see server.mjs). */
export function adminHandler(peer) {
  const routes = [
    ['GET', /^\/info$/, () => peer.info()],
    ['POST', /^\/clients$/, async (_m, body) => peer.addClient(body)],
    ['GET', /^\/clients\/([^/]+)$/, ([, id]) => peer.clientRecord(decodeURIComponent(id)) ?? notFound(`client ${id}`)],
    ['GET', /^\/grants\/([^/]+)$/, ([, id]) => peer.ledger.grant(decodeURIComponent(id)) ?? notFound(`grant ${id}`)],
    ['POST', /^\/grants\/([^/]+)\/revoke$/, async ([, id]) => ({ revoked: await peer.revokeGrant(decodeURIComponent(id)) })],
    ['POST', /^\/tokens\/lookup$/, async (_m, body) => (await peer.lookupToken(body.token)) ?? notFound('token')],
    ['POST', /^\/introspect$/, async (_m, body) => peer.introspect(body.token)],
    ['POST', /^\/settings$/, async (_m, body) => {
      if (body.answerDelayMs !== undefined) peer.state.answerDelayMs = nonNegative(body.answerDelayMs, 'answerDelayMs');
      if (body.deviceIntervalS !== undefined) peer.state.deviceIntervalS = nonNegative(body.deviceIntervalS, 'deviceIntervalS');
      if (body.rotation !== undefined) peer.state.rotation = parseRotation(body.rotation);
      if (body.down !== undefined) {
        if (![false, 'http503', 'refuse'].includes(body.down)) throw new AdminError(400, `down: must be false, 'http503' or 'refuse', got ${JSON.stringify(body.down)}`);
        await peer.setDown(body.down);
      }
      return peer.settings();
    }],
    ['POST', /^\/failures$/, async (_m, body) => {
      const count = nonNegative(body.count, 'count');
      const status = body.status;
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new AdminError(400, `status: must be an HTTP error status (400-599), got ${JSON.stringify(status)}`);
      const when = body.when ?? 'before';
      if (when !== 'before' && when !== 'after') throw new AdminError(400, `when: must be 'before' or 'after', got ${JSON.stringify(when)}`);
      if (count > 0) peer.state.failures.push({ count, status, when, body: body.body ?? failureBody(status) });
      return peer.settings();
    }],
    ['DELETE', /^\/failures$/, async () => {
      peer.state.failures.length = 0;
      return peer.settings();
    }],
    ['GET', /^\/stats$/, () => peer.ledger.stats()],
    ['POST', /^\/stats\/reset$/, () => {
      peer.ledger.reset();
      return peer.ledger.stats();
    }],
  ];

  return async function handle(req, res) {
    const url = new URL(req.url, 'http://admin');
    try {
      let result;
      if (req.method === 'GET' && url.pathname === '/events') {
        const since = Number(url.searchParams.get('since') ?? 0);
        const waitMs = Math.min(Number(url.searchParams.get('waitMs') ?? 0), 30_000);
        result = await peer.ledger.changes(since, waitMs);
      } else {
        const route = routes.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
        if (!route) throw new AdminError(404, `no admin route ${req.method} ${url.pathname}`);
        const body = req.method === 'POST' ? await readJson(req) : {};
        result = await route[2](url.pathname.match(route[1]), body);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    } catch (error) {
      const status = error.status ?? (error.name === 'ClientSpecError' ? 400 : 500);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    }
  };
}

function notFound(what) {
  throw new AdminError(404, `${what}: not found`);
}
