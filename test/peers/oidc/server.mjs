/**
 * The OpenID peer's process: panva's oidc-provider (ESM only, hence a plain Node child process
 * that jest's CommonJS runtime never loads) on a loopback port, plus an admin API on a second one.
 *
 * Started by test/peers/oidc-peer.ts as `node server.mjs '<options JSON>'`. It prints one JSON
 * line `{"ready":true,...}` on stdout once both ports listen, and exits when its stdin closes or
 * its IPC channel disconnects (the parent died), on SIGTERM, or on SIGINT.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Provider } from 'oidc-provider';
import { adminHandler, parseRotation } from './admin.mjs';
import { buildClient } from './clients.mjs';
import { createLedger } from './ledger.mjs';
import { providerConfiguration, routes } from './provider-config.mjs';
import { createStore } from './store.mjs';
import { INTERNAL_HEADER, tokenGate } from './token-gate.mjs';

const DAY_S = 24 * 60 * 60;
const INTROSPECTOR_ID = 'oidc-peer-introspector';

function withDefaults(raw) {
  const issuerPath = (raw.issuerPath ?? '').replace(/\/+$/, '');
  if (issuerPath && !issuerPath.startsWith('/')) throw new Error(`issuerPath: must start with '/', got ${JSON.stringify(raw.issuerPath)}`);
  return {
    host: raw.host ?? '127.0.0.1',
    port: raw.port ?? 0,
    adminPort: raw.adminPort ?? 0,
    issuerPath,
    accessTokenTtlS: raw.accessTokenTtlS ?? 3600,
    refreshTokenTtlS: raw.refreshTokenTtlS ?? 30 * DAY_S,
    refreshTokenAbsoluteTtlS: raw.refreshTokenAbsoluteTtlS,
    rotation: parseRotation(raw.rotation ?? 'strict'),
    answerDelayMs: raw.answerDelayMs ?? 0,
    deviceIntervalS: raw.deviceIntervalS ?? 5,
    clockToleranceS: raw.clockToleranceS ?? 5,
    extraScopes: raw.scopes ?? [],
    clients: raw.clients ?? [],
  };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function main() {
  const options = withDefaults(JSON.parse(process.argv[2] ?? '{}'));
  const internalSecret = randomBytes(24).toString('base64url');
  const state = { rotation: options.rotation, answerDelayMs: options.answerDelayMs, deviceIntervalS: options.deviceIntervalS, failures: [], down: false };

  let handler = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 5_000;
  const port = await listen(server, options.port, options.host);
  const origin = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const issuer = `${origin}${options.issuerPath}`;

  let ledger;
  const store = createStore(state, { onGrantSaved: (grantId, payload) => ledger.grantSaved(grantId, payload) });
  ledger = createLedger({ isGrantLive: (grantId) => store.peek('Grant', grantId) !== undefined });

  const clients = new Map();
  const introspectorSecret = randomBytes(24).toString('base64url');
  const provider = new Provider(issuer, providerConfiguration({
    options,
    state,
    Adapter: store.Adapter,
    staticClients: [{
      client_id: INTROSPECTOR_ID,
      client_secret: introspectorSecret,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    }],
  }));
  provider.on('grant.error', (ctx, err) => {
    ctx.state.peerErrorDetail = err.error_detail;
  });
  provider.on('grant.revoked', (ctx, grantId) => {
    const route = ctx.oidc?.route;
    const grantType = ctx.oidc?.params?.grant_type;
    const by = route === 'token' ? (grantType === 'refresh_token' ? 'replay' : `${grantType}_replay`) : route;
    ledger.grantRevoked(grantId, by);
  });
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-peer server_error: ${err?.stack ?? err}\n`));
  provider.use(tokenGate({ state, ledger, store, tokenPath: routes.token, deviceAuthorizationPath: routes.device_authorization, internalSecret }));

  const clientAdapter = new store.Adapter('Client');
  const addClient = async (spec) => {
    const { record, metadata } = buildClient(spec);
    if (clients.has(record.clientId) || record.clientId === INTROSPECTOR_ID) {
      throw Object.assign(new Error(`clientId: ${record.clientId} already exists`), { status: 409 });
    }
    await clientAdapter.upsert(record.clientId, metadata);
    try {
      await provider.Client.find(record.clientId);
    } catch (error) {
      await clientAdapter.destroy(record.clientId);
      throw Object.assign(new Error(`client: oidc-provider refused the metadata: ${error.error_description ?? error.message}`), { status: 400 });
    }
    clients.set(record.clientId, record);
    return record;
  };
  for (const spec of options.clients) await addClient(spec);

  const url = (route) => `${issuer}${route}`;
  const endpoints = {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    authorizationServerMetadataUrl: `${origin}/.well-known/oauth-authorization-server${options.issuerPath}`,
    authorizationEndpoint: url(routes.authorization),
    tokenEndpoint: url(routes.token),
    jwksUri: url(routes.jwks),
    userinfoEndpoint: url(routes.userinfo),
    introspectionEndpoint: url(routes.introspection),
    revocationEndpoint: url(routes.revocation),
    deviceAuthorizationEndpoint: url(routes.device_authorization),
  };

  const settings = () => ({
    rotation: state.rotation,
    answerDelayMs: state.answerDelayMs,
    deviceIntervalS: state.deviceIntervalS,
    down: state.down,
    pendingFailures: state.failures.map((f) => ({ ...f })),
  });

  const setDown = async (down) => {
    if (down === state.down) return;
    const previous = state.down;
    state.down = down;
    if (down === 'refuse') {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    } else if (previous === 'refuse') {
      await listen(server, port, options.host);
    }
  };

  const revokeGrant = async (grantId) => {
    const live = store.peek('Grant', grantId) !== undefined;
    await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.DeviceCode].map((model) => model.revokeByGrantId(grantId)));
    await new store.Adapter('Grant').destroy(grantId);
    if (live) ledger.grantRevoked(grantId, 'admin');
    return live;
  };

  const lookupToken = async (token) => {
    if (typeof token !== 'string' || !token) throw Object.assign(new Error('token: must be a non-empty string'), { status: 400 });
    for (const kind of ['RefreshToken', 'AccessToken', 'ClientCredentials', 'AuthorizationCode']) {
      const payload = store.peek(kind, token);
      if (payload) {
        return { kind, grantId: payload.grantId, clientId: payload.clientId, accountId: payload.accountId, consumed: payload.consumed !== undefined, expiresAt: payload.exp * 1000, scope: payload.scope };
      }
    }
    return undefined;
  };

  const introspect = async (token) => {
    if (typeof token !== 'string' || !token) throw Object.assign(new Error('token: must be a non-empty string'), { status: 400 });
    const response = await fetch(endpoints.introspectionEndpoint, {
      method: 'POST',
      headers: {
        [INTERNAL_HEADER]: internalSecret,
        authorization: `Basic ${Buffer.from(`${INTROSPECTOR_ID}:${introspectorSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    });
    if (!response.ok) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
    return response.json();
  };

  const callback = provider.callback();
  const rfc8414Path = `/.well-known/oauth-authorization-server${options.issuerPath}`;
  handler = (req, res) => {
    const internal = req.headers[INTERNAL_HEADER] === internalSecret;
    if (state.down === 'http503' && !internal) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the peer is down' }));
      return;
    }
    let path = req.url ?? '/';
    if (options.issuerPath && (path === rfc8414Path || path.startsWith(`${rfc8414Path}?`))) {
      path = `${options.issuerPath}/.well-known/oauth-authorization-server${path.slice(rfc8414Path.length)}`;
    }
    if (options.issuerPath) {
      if (path !== options.issuerPath && !path.startsWith(`${options.issuerPath}/`) && !path.startsWith(`${options.issuerPath}?`)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', error_description: `outside the issuer ${issuer}` }));
        return;
      }
      // What express does for `app.use(prefix, provider.callback())`: oidc-provider derives its mount path from these two.
      req.originalUrl = path;
      req.url = path.slice(options.issuerPath.length) || '/';
    }
    callback(req, res);
  };

  const peer = {
    state,
    ledger,
    info: () => ({ ...endpoints, internalSecret, internalHeader: INTERNAL_HEADER, options: { ...options, clients: undefined }, settings: settings() }),
    settings,
    setDown,
    addClient,
    clientRecord: (id) => clients.get(id),
    revokeGrant,
    lookupToken,
    introspect,
  };
  const admin = http.createServer(adminHandler(peer));
  const adminPort = await listen(admin, options.adminPort, '127.0.0.1');

  let closing = false;
  const shutdown = (code) => {
    if (closing) return;
    closing = true;
    store.close();
    server.closeAllConnections?.();
    admin.closeAllConnections?.();
    process.exit(code);
  };
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('close', () => shutdown(0));
  process.stdin.resume();
  process.on('disconnect', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));

  process.stdout.write(`${JSON.stringify({ ready: true, port, adminPort, adminUrl: `http://127.0.0.1:${adminPort}`, ...endpoints, internalSecret, internalHeader: INTERNAL_HEADER })}\n`);
}

main().catch((error) => {
  process.stderr.write(`oidc-peer failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
