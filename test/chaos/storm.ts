/**
 * Scenario 7: the every-caller storm (bench/storm) under the default policy, run while workers are
 * being killed: a fresh credential, N callers over P processes reporting its current version at
 * one instant, through the TokenClient and then through the HTTP API. Each storm must make exactly
 * one upstream call and hand every caller a token the provider accepts.
 */
import { StormFleet } from '../../bench/storm/fleet';
import { oidcStormProvider } from '../../bench/storm/providers';
import type { StormGrant } from '../../bench/storm/providers';
import { halflifeStorm, type StormContext, type StormCredential, type StormFigures } from '../../bench/storm/scenarios';
import type { OidcPeer } from '../peers/oidc-peer';
import type { ChaosCredential } from './credentials';
import { openRedis } from '../helpers/test-env';
import { pause } from './figures';
import { errorStory } from './grpc-details';
import type { ChaosStack } from './stack';

/** One storm's figures. */
export interface StormResult {
  via: 'client' | 'http';
  credentialId: string;
  /** Epoch ms the storm began and ended (kills in between are counted against it). */
  from: number;
  to: number;
  callers: number;
  upstreamCalls: number;
  callersOk: number;
  allServedMs: number;
  p50Ms: number;
  byCode: Record<string, number>;
  /** The provider revoked the storm credential's grant (a replay): the authoritative loss. */
  lost: boolean;
  replays: number;
}

/** Storm caller processes over the stack, ready for storms. */
export interface StormRig {
  /** Registrations refused so far (each sent again), with the error's whole story. */
  readonly registrationErrors: string[];
  /** Runs one storm per path on fresh credentials (default policy) at `peer`; the credentials are returned for the loss audit. */
  run(peer: OidcPeer, callers: number): Promise<{ results: StormResult[]; credentials: ChaosCredential[] }>;
  close(): Promise<void>;
}

function resultOf(via: 'client' | 'http', credentialId: string, window: { from: number; to: number }, f: StormFigures): StormResult {
  return { via, credentialId, ...window, callers: f.callers, upstreamCalls: f.upstreamCalls, callersOk: f.callersOk, allServedMs: Math.round(f.allServedMs), p50Ms: Math.round(f.p50Ms), byCode: f.byCode, lost: f.grantRevoked, replays: f.provider.replays };
}

/**
 * Registers the storm's credential (default policy) with the token its grant came with, dated by the
 * provider's own expiry: registration then makes no token request, so the storm's one refresh is
 * the only request of the credential a kill can meet.
 */
async function registerStormCredential(stack: ChaosStack, peer: OidcPeer, grant: StormGrant, id: string, errors: string[]): Promise<StormCredential> {
  const expiresAt = grant.accessToken ? (await peer.lookupToken(grant.accessToken))?.expiresAt : undefined;
  const spec = {
    id,
    provider: 'oauth2',
    config: { tokenEndpoint: peer.tokenEndpoint, clientId: grant.clientId, clientSecret: grant.clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken: grant.refreshToken },
    ...(grant.accessToken && expiresAt ? { token: { accessToken: grant.accessToken, expiresAt } } : {}),
  } as const;
  // A registration refused while workers are being killed is recorded and sent again (it is idempotent), as a caller would.
  for (let attempt = 1; ; attempt++) {
    try {
      const registration = await stack.client.register(spec);
      return { id, version: registration.token.version, grant };
    } catch (err) {
      errors.push(`${new Date().toISOString()} ${id}: ${errorStory(err)}`);
      if (attempt >= 10) throw err;
      await pause(2_000);
    }
  }
}

/** Starts `processes` storm caller processes against the stack's API (admin key) and Temporal. */
export async function startStormRig(stack: ChaosStack, processes: number): Promise<StormRig> {
  const env = { temporalAddress: stack.env.temporalAddress, namespace: stack.env.namespace, taskQueue: stack.taskQueue, redisUrl: stack.env.redisUrl, encryptionKeys: stack.env.encryptionKeys, apiUrl: stack.api.url, apiKey: stack.api.keys.admin };
  const fleet = await StormFleet.start(env, processes);
  const redis = openRedis();
  redis.on('error', () => undefined); // Redis is stopped in some scenarios

  const registrationErrors: string[] = [];
  return {
    registrationErrors,
    async run(peer, callers) {
      const ctx: StormContext = { env, fleet, provider: oidcStormProvider(peer), owner: stack.client, redis };
      const results: StormResult[] = [];
      const credentials: ChaosCredential[] = [];
      for (const via of ['client', 'http'] as const) {
        const grant = await ctx.provider.newGrant();
        const cred = await registerStormCredential(stack, peer, grant, `chaos-storm-${via}-${Date.now()}`, registrationErrors);
        credentials.push({ id: cred.id, peer, client: await peer.client(grant.clientId), grants: [grant.grantId ?? ''], version: cred.version });
        const from = Date.now();
        const { figures } = await halflifeStorm(ctx, cred, { via, callers });
        results.push(resultOf(via, cred.id, { from, to: Date.now() }, figures));
      }
      return { results, credentials };
    },
    async close() {
      await fleet.close();
      redis.disconnect();
    },
  };
}
