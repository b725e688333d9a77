/** Registers OAuth 2.0 credentials against the fake token endpoint. */
import type { RefreshPolicy } from '../../src/credential';
import type { Registration, TokenClient } from '../../src/client/token-client';
import type { FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { uniqueId } from './test-env';

/**
 * Policy for tests: the default policy (its cooldown and daily cap included) except for the retry
 * and timeout clocks, shortened so a retried failure settles within seconds instead of minutes. A
 * test that needs another cooldown sets it and says why.
 */
export const fastPolicy: Partial<RefreshPolicy> = {
  retryInitialMs: 200,
  retryMaxMs: 2000,
  upstreamTimeoutMs: 2000,
};

/** Registers a new oauth2 credential with its own client at the fake; returns its id and first token. */
export async function registerOAuth2(
  client: TokenClient,
  fake: FakeOAuth2Server,
  policy: Partial<RefreshPolicy> = {},
  id = uniqueId('cred'),
): Promise<Registration & { clientId: string; clientSecret: string }> {
  const clientId = uniqueId('client');
  const clientSecret = `secret-${uniqueId('s')}-${uniqueId('s')}`;
  fake.addClient(clientId, clientSecret);
  const refreshToken = fake.issueRefreshToken(clientId);
  const registration = await client.register({
    id,
    provider: 'oauth2',
    config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken },
    policy: { ...fastPolicy, ...policy },
  });
  return { ...registration, clientId, clientSecret };
}
