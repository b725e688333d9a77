/**
 * The device authorization grant (RFC 8628) of connect sessions against oidc-provider's device
 * flow, through the real HTTP API, worker and Temporal: the person approves (or denies) on
 * "another device" (the peer's browserless helper) while the worker polls at the server's pace.
 */
import { completeDeviceFlow } from '../peers/oidc-peer';
import { useConnectStack } from '../helpers/connect-stack';
import { uniqueId } from '../helpers/test-env';

const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';

describe('connect by device code against oidc-provider', () => {
  const stack = useConnectStack({ deviceIntervalS: 1 });

  async function start(id: string) {
    const res = await fetch(`${stack.base}/v1/credentials/${id}/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ issuer: stack.peer.issuer, client_id: stack.peerClient.clientId, client_secret: stack.peerClient.clientSecret, scope: 'openid offline_access api', mode: 'device' }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { session: string; url?: string; mode: string; device: { user_code: string; verification_uri: string; verification_uri_complete: string; interval_s: number } };
  }

  it('shows a user code, polls no faster than the interval (slow_down adds 5 s), and connects when the person approves', async () => {
    const id = uniqueId('device');
    await stack.peer.resetStats();
    await stack.peer.failNext(1, 400, { body: { error: 'slow_down', error_description: 'injected' } });
    const created = await start(id);
    expect(created.url).toBeUndefined();
    expect(created.mode).toBe('device');
    expect(created.device).toMatchObject({ user_code: expect.any(String), verification_uri: expect.stringContaining(stack.peer.issuer), interval_s: 1 });

    expect((await completeDeviceFlow(created.device.verification_uri_complete, { login: 'bob' })).approved).toBe(true);
    const ended = await stack.connect.wait(created.session, 60_000);
    expect(ended.outcome).toMatchObject({ result: 'connected', registration: 'created', version: 1 });
    const token = await stack.client.getToken(id);
    expect(await stack.peer.isAccessTokenValid(token.accessToken)).toBe(true);

    const polls = (await stack.peer.events()).filter((e) => e.grantType === deviceGrant);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls[0]).toMatchObject({ injected: 'before', error: 'slow_down' });
    // After slow_down the interval is 1 + 5 s; the server's own pacing check never fired.
    expect(polls[1]!.receivedAt - polls[0]!.receivedAt).toBeGreaterThanOrEqual(5_900);
    for (let i = 2; i < polls.length; i++) expect(polls[i]!.receivedAt - polls[i - 1]!.receivedAt).toBeGreaterThanOrEqual(5_900);
    expect(polls.filter((e) => e.error === 'slow_down' && !e.injected)).toEqual([]);
    expect(polls.at(-1)).toMatchObject({ status: 200 });
  });

  it('a person who denies ends the session as denied; the credential is not created', async () => {
    const id = uniqueId('device-deny');
    const created = await start(id);
    // The helper aborts the login; the provider then shows its empty user-code form, which the helper cannot fill: that is the end of the person's part.
    await completeDeviceFlow(created.device.verification_uri_complete, { decision: 'deny' }).catch((err: Error) => expect(err.message).toMatch(/asks for user_code/));
    const ended = await stack.connect.wait(created.session, 60_000);
    expect(ended.outcome).toMatchObject({ result: 'denied', code: 'access_denied' });
    await expect(stack.client.describe(id)).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
  });
});
