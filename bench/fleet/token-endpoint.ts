/**
 * The fleet benchmark's token endpoint: a minimal OAuth 2.0 `refresh_token` grant on loopback that
 * answers from memory (well under a millisecond of its own work), rotates the refresh token on
 * every use, refuses a replayed one (`invalid_grant`, as a strict provider does) and keeps the
 * ledger (./ledger.ts) of when each credential was due and when it came. Clients authenticate
 * with `client_secret_basic`; the secret of client `c` is `secretOf(c)`.
 */
import { randomBytes } from 'node:crypto';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../src/fakes/fake-http';
import { RefreshLedger } from './ledger';

/** The client secret the endpoint expects of `clientId`. */
export function secretOf(clientId: string): string {
  return `fleet-secret-${clientId}`;
}

/** A running endpoint. */
export interface FleetTokenEndpoint {
  /** `…/token`, for the credentials' `tokenEndpoint`. */
  tokenEndpoint: string;
  ledger: RefreshLedger;
  /** Requests answered with something other than a token (bad client, replay, unknown grant). */
  refused: () => number;
  /** A new refresh token for a credential about to be registered, whose supplied token was issued at `issuedAt` and expires at `expiresAt`. */
  enroll(clientId: string, issuedAt: number, expiresAt: number): string;
  close(): Promise<void>;
}

const token = () => randomBytes(18).toString('base64url');

function clientOf(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** Starts the endpoint for tokens living `lifetimeS`, refreshed at `refreshRatio` of their lifetime. */
export async function startFleetTokenEndpoint(lifetimeS: number, refreshRatio: number): Promise<FleetTokenEndpoint> {
  const ledger = new RefreshLedger(lifetimeS * 1000, refreshRatio);
  let refused = 0;
  const refuse = (res: Parameters<typeof sendJson>[0], status: number, error: string) => {
    refused++;
    sendJson(res, status, { error });
  };
  const server: LoopbackServer = await startLoopbackServer((req, res, body) => {
    const at = Date.now();
    if (req.method !== 'POST' || req.url !== '/token') return refuse(res, 404, 'not_found');
    const client = clientOf(req.headers.authorization);
    if (!client || client.secret !== secretOf(client.id)) return refuse(res, 401, 'invalid_client');
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'refresh_token') return refuse(res, 400, 'unsupported_grant_type');
    const next = token();
    const outcome = ledger.refresh(client.id, form.get('refresh_token') ?? '', at, next);
    if (outcome === 'unknown') return refuse(res, 401, 'invalid_client');
    if (outcome === 'replay') return refuse(res, 400, 'invalid_grant');
    sendJson(res, 200, { access_token: token(), token_type: 'Bearer', expires_in: lifetimeS, refresh_token: next });
  });
  return {
    tokenEndpoint: `${server.url}/token`,
    ledger,
    refused: () => refused,
    enroll(clientId, issuedAt, expiresAt) {
      const refreshToken = token();
      ledger.expect(clientId, refreshToken, issuedAt, expiresAt);
      return refreshToken;
    },
    close: () => server.close(),
  };
}
