/** Signing per Standard Webhooks and the exported verification helper. */
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, webhookSecretProblem } from '../../../src/webhooks/secrets';
import { signWebhook } from '../../../src/webhooks/signing';
import { verifyWebhook } from '../../../src/webhooks/verify';

const body = JSON.stringify({ type: 'credential.revoked', timestamp: '2026-01-01T00:00:00.000Z', data: { id: 'billing', status: 'revoked', version: 3 } });

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    const headers = signWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}', ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);
    expect(headers).toEqual({ 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' });
  });

  it('signs with each active secret; a receiver knowing either verifies (rotation)', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook('evt_1', new Date(), body, [newSecret, oldSecret]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => signWebhook('evt_1', new Date(), body, [])).toThrow(/no active secret/);
  });
});

describe('verifyWebhook', () => {
  const secret = generateWebhookSecret();
  const headers = signWebhook('cred:1:3:credential.revoked', new Date(), body, [secret]);

  it('answers the id, the timestamp and the payload, from Node, fetch or plain headers', () => {
    const fromNode = verifyWebhook(Buffer.from(body), { ...headers, 'content-type': 'application/json' }, secret);
    expect(fromNode).toEqual({ id: 'cred:1:3:credential.revoked', timestamp: new Date(Number(headers['webhook-timestamp']) * 1000), payload: JSON.parse(body) });
    expect(verifyWebhook(body, new Headers({ ...headers }), secret).id).toBe(fromNode.id);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(body, upper, [generateWebhookSecret(), secret]).id).toBe(fromNode.id);
  });

  it.each([
    ['a changed body', () => verifyWebhook(body.replace('revoked', 'rotated'), headers, secret), /No matching signature/],
    ['another secret', () => verifyWebhook(body, headers, generateWebhookSecret()), /No matching signature/],
    ['a changed id', () => verifyWebhook(body, { ...headers, 'webhook-id': 'other' }, secret), /No matching signature/],
    ['missing headers', () => verifyWebhook(body, { 'webhook-id': 'x' }, secret), /Missing required headers/],
    ['a stale timestamp', () => verifyWebhook(body, signWebhook('x', new Date(Date.now() - 6 * 60_000), body, [secret]), secret), /too old/],
    ['no secret', () => verifyWebhook(body, headers, []), /no secret/],
  ])('refuses %s with WebhookVerificationError', (_what, run, message) => {
    expect(run).toThrow(message);
    try {
      run();
    } catch (err) {
      expect(err).toMatchObject({ name: 'WebhookVerificationError', code: 'webhook_verification_failed' });
    }
  });
});

describe('secrets', () => {
  it('are whsec_ and 32 random bytes; malformed ones are refused without quoting them', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretProblem(secret)).toBeUndefined();
    expect(webhookSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    expect(webhookSecretProblem('abc')).toMatch(/must start with whsec_/);
    expect(webhookSecretProblem('whsec_abc')).toMatch(/standard base64/);
    expect(webhookSecretProblem(`whsec_${Buffer.alloc(8).toString('base64')}`)).toMatch(/24 to 64 bytes/);
    expect(webhookSecretProblem('whsec_not-base64!!')).not.toContain('not-base64');
  });
});
