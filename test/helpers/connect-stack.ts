/**
 * The setup of the connect suites: the OpenID peer (oidc-provider on loopback), a worker process,
 * a TokenClient, and the HTTP API with connect links served on loopback, its log captured so the
 * suites can check that no secret reached it. Started before the suite, stopped after it.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ApiConnectClient } from '../../src/api/connect-routes';
import { ApiKeys } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { ConnectClient } from '../../src/connect/connect-client';
import { createLogger } from '../../src/logger';
import { startOidcPeer, type OidcPeer, type OidcPeerClient, type OidcPeerOptions } from '../peers/oidc-peer';
import { openTokenClient, uniqueId } from './test-env';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** What `useConnectStack` provides once the suite has started. */
export interface ConnectStack {
  readonly peer: OidcPeer;
  /** A client of the peer whose redirect URI is Halflife's callback. */
  readonly peerClient: OidcPeerClient;
  readonly worker: WorkerProcess;
  readonly client: Awaited<ReturnType<typeof openTokenClient>>;
  readonly connect: ConnectClient;
  readonly app: FastifyInstance;
  /** The API's base URL (also its public URL). */
  readonly base: string;
  readonly adminKey: string;
  readonly taskQueue: string;
  /** Everything the API logged. */
  log(): string;
}

/** Registers `beforeAll` / `afterAll` hooks that start and stop the stack on a fresh task queue. */
export function useConnectStack(peerOptions: OidcPeerOptions = {}): ConnectStack {
  const taskQueue = uniqueId('tq-connect');
  const adminKey = `it-admin-${uniqueId('k')}-0123456789`;
  const parts: { -readonly [K in keyof Omit<ConnectStack, 'log' | 'adminKey'>]?: ConnectStack[K] } = {};
  let logged = '';
  beforeAll(async () => {
    parts.peer = await startOidcPeer({ issuerPath: '/oauth2/default', deviceIntervalS: 1, ...peerOptions });
    parts.client = await openTokenClient(taskQueue);
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logged += chunk.toString()), done()) });
    // The public URL is known once the server listens: the routes reach the ConnectClient through this holder.
    const holder: { connect?: ConnectClient } = {};
    const lazy: ApiConnectClient = {
      create: (...args) => holder.connect!.create(...args),
      open: (...args) => holder.connect!.open(...args),
      complete: (...args) => holder.connect!.complete(...args),
      pending: (...args) => holder.connect!.pending(...args),
      get redirectUri() {
        return holder.connect!.redirectUri;
      },
    };
    parts.app = createApiServer({
      tokenClient: parts.client,
      keys: ApiKeys.of([{ key: adminKey, scopes: ['admin'], credentials: '*', name: 'it-admin' }]),
      health: { temporal: async () => true },
      logger: createLogger('debug', sink),
      connect: lazy,
    });
    await parts.app.listen({ port: 0, host: '127.0.0.1' });
    parts.base = `http://127.0.0.1:${(parts.app.server.address() as AddressInfo).port}`;
    holder.connect = new ConnectClient({ temporal: parts.client.temporal, taskQueue, publicUrl: parts.base });
    // The worker knows the public URL too: it makes the fresh links of credentials that enter reauth_required.
    parts.worker = await startWorkerProcess(taskQueue, { HALFLIFE_PUBLIC_URL: parts.base });
    parts.connect = holder.connect;
    parts.peerClient = await parts.peer.addClient({ clientId: uniqueId('halflife'), auth: 'client_secret_basic', redirectUris: [holder.connect.redirectUri] });
  });
  afterAll(async () => {
    await parts.app?.close();
    await parts.client?.shutdown();
    await parts.worker?.stop();
    await parts.peer?.close();
  });
  const started = <K extends keyof typeof parts>(key: K): NonNullable<(typeof parts)[K]> => {
    const part = parts[key];
    if (!part) throw new Error(`the ${key} of the connect stack is not started (use it inside tests)`);
    return part as NonNullable<(typeof parts)[K]>;
  };
  return {
    get peer() { return started('peer'); },
    get peerClient() { return started('peerClient'); },
    get worker() { return started('worker'); },
    get client() { return started('client'); },
    get connect() { return started('connect'); },
    get app() { return started('app'); },
    get base() { return started('base'); },
    adminKey,
    taskQueue,
    log: () => logged,
  };
}
