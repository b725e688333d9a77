/** Registers benchmark credentials against a fake OAuth 2.0 provider. */
import { randomUUID } from 'node:crypto';
import type { RefreshPolicy } from '../../src/credential';
import type { Registration, TokenClient } from '../../src/client/token-client';
import type { FakeOAuth2Server } from '../../src/fakes/oauth2-server';

/** Policy for benchmark credentials: no cooldown, so forced refreshes reach the provider. */
export const benchPolicy: Partial<RefreshPolicy> = { minRefreshIntervalMs: 0, jitterRatio: 0.02, upstreamTimeoutMs: 5000 };

/** A registered credential and its client id at the fake (to count upstream calls). */
export interface BenchCredential extends Registration {
  clientId: string;
}

/** Registers one oauth2 credential with its own client at `fake`. */
export async function registerCredential(client: TokenClient, fake: FakeOAuth2Server, policy: Partial<RefreshPolicy> = {}): Promise<BenchCredential> {
  const suffix = randomUUID().slice(0, 8);
  const clientId = `bench-client-${suffix}`;
  const clientSecret = `bench-secret-${randomUUID()}`;
  fake.addClient(clientId, clientSecret);
  const registration = await client.register({
    id: `bench-${suffix}`,
    provider: 'oauth2',
    config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken: fake.issueRefreshToken(clientId) },
    policy: { ...benchPolicy, ...policy },
  });
  return { ...registration, clientId };
}
