/**
 * A koa middleware in front of oidc-provider's token endpoint (installed with `provider.use`,
 * which runs it before the provider's router): logs every token request, injects failures,
 * delays answers, and serializes the uses of one refresh token.
 *
 * - Serialization: two concurrent requests presenting the same refresh token are handled one
 *   after the other, so the second one meets a consumed token (a replay, refused in strict
 *   mode), as at a provider whose consume is transactional. Without it both could rotate.
 * - Delay: the provider decides first (the rotation is committed), then the answer waits
 *   `answerDelayMs` before it is written: a kill during the wait loses a committed rotation.
 * - Injected failures (`failNext`): `before` answers without calling the provider (nothing
 *   rotates); `after` lets the provider decide and then replaces its answer (it rotated, the
 *   caller sees an error), like a gateway that fails after the upstream answered.
 * - Device flow polling (RFC 8628 §3.5), which oidc-provider does not police: the device
 *   authorization answer gets `interval` (state.deviceIntervalS), and a device_code poll sooner
 *   than the interval after the previous one answers `slow_down` and adds 5 s to that code's
 *   interval.
 *
 * The body is read here, before the provider, and handed on as `req.body`, the pre-parsed body
 * that oidc-provider's body parser accepts (it prints a one-time warning about it).
 */
import { fingerprint } from './ledger.mjs';

const BODY_LIMIT = 56 * 1024;

/** The peer's own requests carry this header with the run's secret; they skip the gate. */
export const INTERNAL_HEADER = 'x-oidc-peer-internal';

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** The default body of an injected failure with this status. */
export function failureBody(status) {
  if (status === 429) return { error: 'slow_down', error_description: 'injected failure' };
  if (status >= 500) return { error: 'temporarily_unavailable', error_description: 'injected failure' };
  return { error: 'invalid_request', error_description: 'injected failure' };
}

/** Takes one pending injected failure for phase `when`, or undefined. */
function takeFailure(state, when) {
  const next = state.failures[0];
  if (!next || next.when !== when) return undefined;
  next.count -= 1;
  if (next.count <= 0) state.failures.shift();
  return next;
}

/** A lock per key: `acquire(key)` resolves with a release function. */
function createLocks() {
  const tails = new Map();
  return {
    async acquire(key) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release;
      const mine = new Promise((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      await previous;
      return () => {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      };
    },
  };
}

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Builds the middleware. */
export function tokenGate({ state, ledger, store, tokenPath, deviceAuthorizationPath, internalSecret }) {
  const locks = createLocks();
  /** device_code → { intervalS, lastPollAt } */
  const devicePolls = new Map();
  return async function gate(ctx, next) {
    if (ctx.method !== 'POST') return next();
    if (ctx.path === deviceAuthorizationPath) {
      await next();
      if (ctx.status === 200 && ctx.body && typeof ctx.body.device_code === 'string') {
        ctx.body.interval = state.deviceIntervalS;
        devicePolls.set(ctx.body.device_code, { intervalS: state.deviceIntervalS, lastPollAt: undefined, expiresAt: Date.now() + ctx.body.expires_in * 1000 });
        for (const [code, poll] of devicePolls) if (poll.expiresAt < Date.now()) devicePolls.delete(code);
      }
      return undefined;
    }
    if (ctx.path !== tokenPath) return next();
    if (ctx.get(INTERNAL_HEADER) === internalSecret) return next();

    const event = ledger.openEvent(Date.now());
    const res = ctx.res;
    res.once('close', () => ledger.answered(event, { aborted: !res.writableFinished }));

    const raw = await readBody(ctx.req);
    ctx.req.body = raw;
    const params = new URLSearchParams(raw.toString('utf8'));
    event.grantType = params.get('grant_type') ?? undefined;
    const presented = event.grantType === 'refresh_token' ? params.get('refresh_token') || undefined : undefined;
    if (presented) event.presented = fingerprint(presented);

    const poll = event.grantType === DEVICE_CODE ? devicePolls.get(params.get('device_code')) : undefined;
    if (poll) {
      const now = Date.now();
      const tooSoon = poll.lastPollAt !== undefined && now - poll.lastPollAt < poll.intervalS * 1000;
      poll.lastPollAt = now;
      if (tooSoon) {
        poll.intervalS += 5;
        event.clientId = params.get('client_id') ?? undefined;
        event.decidedAt = now;
        event.status = 400;
        event.error = 'slow_down';
        ledger.decided(event);
        ctx.status = 400;
        ctx.set('cache-control', 'no-store');
        ctx.body = { error: 'slow_down', error_description: `poll at most every ${poll.intervalS} s` };
        return;
      }
    }

    const early = takeFailure(state, 'before');
    if (early) {
      event.injected = 'before';
      event.clientId = params.get('client_id') ?? undefined;
      event.decidedAt = Date.now();
      event.status = early.status;
      event.error = early.body?.error;
      ledger.decided(event);
      await sleep(state.answerDelayMs);
      ctx.status = early.status;
      ctx.set('cache-control', 'no-store');
      ctx.body = early.body;
      return;
    }

    const release = presented ? await locks.acquire(presented) : () => undefined;
    try {
      await next();
    } finally {
      release();
    }

    const { oidc } = ctx;
    const entities = oidc?.entities ?? {};
    const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {};
    event.decidedAt = Date.now();
    event.status = ctx.status;
    event.clientId = oidc?.client?.clientId ?? params.get('client_id') ?? undefined;
    event.grantId = (entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode)?.grantId;
    if (ctx.status === 200) {
      if (typeof body.refresh_token === 'string') event.issued = fingerprint(body.refresh_token);
      event.rotated = presented !== undefined && typeof body.refresh_token === 'string' && body.refresh_token !== presented;
      if (presented && store.takeGraceServed(presented)) event.graceReplay = true;
    } else {
      event.error = body.error;
      event.errorDetail = ctx.state.peerErrorDetail;
      if (event.error === 'invalid_grant' && event.errorDetail === 'refresh token already used') event.replay = true;
    }

    const late = takeFailure(state, 'after');
    if (late) {
      event.injected = 'after';
      event.status = late.status;
      event.error = late.body?.error;
      ctx.status = late.status;
      ctx.set('cache-control', 'no-store');
      ctx.body = late.body;
    }
    ledger.decided(event);
    await sleep(state.answerDelayMs);
  };
}
