/** A delivery's body: the documented shape, snake_case, instants as ISO strings, no overriding the common fields. */
import { webhookPayload } from '../../../src/webhooks/payload';

it('a credential event: type, timestamp, data with id, status, version, expiry, reason and extra fields', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);
  expect(
    webhookPayload({
      id: 'billing:1:7:credential.reauth_required',
      type: 'credential.reauth_required',
      at,
      credentialId: 'billing',
      status: 'reauth_required',
      version: 3,
      expiresAt: at + 60_000,
      reason: { code: 'invalid_grant', message: 'the grant was revoked' },
      data: { refreshTokenExpiresAt: at + 86_400_000, connectUrl: 'https://h.example/connect/x', id: 'spoofed' },
    }),
  ).toEqual({
    type: 'credential.reauth_required',
    timestamp: '2026-01-02T03:04:05.000Z',
    data: {
      id: 'billing',
      status: 'reauth_required',
      version: 3,
      expires_at: '2026-01-02T03:05:05.000Z',
      reason: { code: 'invalid_grant', message: 'the grant was revoked' },
      refresh_token_expires_at: '2026-01-03T03:04:05.000Z',
      connect_url: 'https://h.example/connect/x',
    },
  });
});
