/**
 * Failure handling: a rejected grant stops retries and waits for re-authorization; transient
 * failures degrade the credential while its token stays serviceable, and it recovers.
 */
import { isHalflifeError } from '../../src/errors';
import { fastPolicy, registerOAuth2 } from '../helpers/oauth2-credential';
import { uniqueId } from '../helpers/test-env';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { holdsFor, waitFor } from '../helpers/wait';

describe('failures', () => {
  const taskQueue = uniqueId('tq-failures');
  const stack = useOAuth2Stack(taskQueue);

  it('invalid_grant leads to reauth_required after exactly one attempt; reauthorize brings it back', async () => {
    stack.fake.setExpiresIn(3600);
    const cred = await registerOAuth2(stack.client, stack.fake);
    const calls = stack.fake.callsFor(cred.clientId);
    stack.fake.rejectNextWith(1, 'invalid_grant');
    const error = await stack.client.refresh(cred.id, { staleVersion: cred.token.version }).catch((e: unknown) => e);
    expect(isHalflifeError(error, 'ReauthRequiredError')).toBe(true);
    expect(stack.fake.callsFor(cred.clientId) - calls).toBe(1);
    const described = await stack.client.describe(cred.id);
    expect(described.status).toBe('reauth_required');
    expect(described.lastError).toMatchObject({ kind: 'reauth', code: 'invalid_grant' });
    // No retry happens on its own: watched for longer than the longest backoff (fastPolicy.retryMaxMs);
    // the next test shows retries do come inside such a window when they are due.
    await holdsFor('no retry of a rejected grant', () => stack.fake.callsFor(cred.clientId) - calls === 1, (fastPolicy.retryMaxMs ?? 0) + 500);

    const token = await stack.client.reauthorize(cred.id, { grant: { refreshToken: stack.fake.issueRefreshToken(cred.clientId) } });
    expect(token.version).toBe(cred.token.version + 1);
    expect(token.status).toBe('active');
    expect((await stack.client.describe(cred.id)).status).toBe('active');
    expect(stack.fake.replays).toBe(0);
    await stack.client.revoke(cred.id);
  });

  it('three 5xx answers then success: degraded while the token stays valid, then active again', async () => {
    stack.fake.setExpiresIn(30);
    const cred = await registerOAuth2(stack.client, stack.fake, { retryInitialMs: 500 });
    stack.fake.failNext(3, { status: 503 });
    const calls = stack.fake.callsFor(cred.clientId);
    const refreshing = stack.client.refresh(cred.id, { staleVersion: cred.token.version });
    const degraded = await waitFor('degraded status', async () => {
      const d = await stack.client.describe(cred.id);
      return d.status === 'degraded' ? d : undefined;
    });
    expect(degraded.lastError).toMatchObject({ kind: 'transient', code: 'http_503' });
    // the token served meanwhile is still the last valid one
    const served = await stack.client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(served.expiresAt).toBeGreaterThan(Date.now());
    // The caller is answered after the first failed attempt, with the still valid token (not parked through the outage).
    const outcome = await refreshing;
    expect(outcome).toMatchObject({ refreshed: false, reason: 'upstream_failing', token: { accessToken: cred.token.accessToken, status: 'degraded' } });
    const recovered = await waitFor('recovery after the retries', async () => {
      const d = await stack.client.describe(cred.id);
      return d.status === 'active' && d.version > cred.token.version ? d : undefined;
    });
    expect(stack.fake.callsFor(cred.clientId) - calls).toBe(4);
    expect(recovered.counts.failures).toBe(3);
    expect(recovered.lastError).toBeUndefined();
    await stack.client.revoke(cred.id);
  });
});
