import { redactPayloadValue, redactSecret, scrubSecrets } from '../../../src/codec/redact';

const secrets = {
  access: 'at-live-9f8e7d6c5b4a3210',
  refresh: 'rt-rotating-abcdef0123456789',
  client: 'cs-client-secret-xyz-0001',
  corp: 'wecom-corp-secret-77777777',
  app: 'wx-app-secret-55555555',
  shortPw: 'hunter2',
};

/** A credential workflow state as it crosses Temporal (continue-as-new input, query answers). */
const state = {
  id: 'trakt-user-42',
  provider: 'oauth2',
  config: { tokenUrl: 'https://api.example.test/oauth/token', clientId: 'halflife-app', clientSecret: secrets.client, auth: 'basic' },
  settings: { tokenUrl: 'https://api.example.test/oauth/token', clientId: 'halflife-app' },
  grant: { refreshToken: secrets.refresh },
  policy: { refreshRatio: 0.5, maxRefreshesPerDay: 1000 },
  token: { accessToken: secrets.access, tokenType: 'Bearer', expiresAt: 1_900_000_000_000, issuedAt: 1_899_990_000_000, scope: 'read write' },
  version: 7,
  status: 'active',
  lastError: { kind: 'transient', code: 'http_503', message: 'token endpoint answered 503', at: 1_899_000_000_000 },
  counts: { refreshes: 6, upstreamCalls: 7, failures: 1, coalesced: 3, runs: 2 },
  history: [
    { provider: 'wecom', config: { corpid: 'ww123', corpsecret: secrets.corp } },
    { provider: 'wechat', config: { appid: 'wx123', AppSecret: secrets.app } },
    { raw: { access_token: secrets.access, refresh_token: secrets.refresh, expires_in: 7200 } },
    { login: { user: 'ops', password: secrets.shortPw, pin: 1234 }, api_key: { value: secrets.client, rotatedAt: 1 } },
  ],
};

describe('redactPayloadValue', () => {
  const redacted = redactPayloadValue(state) as typeof state;
  const json = JSON.stringify(redacted);

  it('leaves no secret in the output', () => {
    for (const secret of Object.values(secrets)) expect(json).not.toContain(secret);
  });

  it('keeps the shape, version, expiry, status and other non-secret fields', () => {
    expect(redacted.version).toBe(7);
    expect(redacted.status).toBe('active');
    expect(redacted.token.expiresAt).toBe(1_900_000_000_000);
    expect(redacted.token.tokenType).toBe('Bearer');
    expect(redacted.config.clientId).toBe('halflife-app');
    expect(redacted.lastError).toEqual(state.lastError);
    expect(redacted.counts).toEqual(state.counts);
    expect((redacted.history[0]?.config as { corpid: string }).corpid).toBe('ww123');
  });

  it('replaces secrets by length and last four characters (only for long ones)', () => {
    expect(redacted.token.accessToken).toEqual({ redacted: true, length: secrets.access.length, last4: '3210' });
    expect(redacted.grant.refreshToken).toEqual({ redacted: true, length: secrets.refresh.length, last4: '6789' });
    const raw = (redacted.history[2] as { raw: Record<string, unknown> }).raw;
    expect(raw.access_token).toEqual({ redacted: true, length: secrets.access.length, last4: '3210' });
    expect(raw.expires_in).toBe(7200);
    const login = (redacted.history[3] as { login: Record<string, unknown> }).login;
    expect(login.password).toEqual({ redacted: true, length: 7 });
    expect(login.pin).toBe(1234);
  });

  it('redacts every leaf under a secret field that holds an object', () => {
    const apiKey = (redacted.history[3] as { api_key: Record<string, unknown> }).api_key;
    expect(apiKey.value).toEqual({ redacted: true, length: secrets.client.length, last4: '0001' });
    expect(apiKey.rotatedAt).toEqual({ redacted: true });
  });

  it('redacts `token` only when it is a string', () => {
    expect(redactPayloadValue({ token: 'plain-token-value-1234' })).toEqual({ token: { redacted: true, length: 22, last4: '1234' } });
    expect(redactPayloadValue([{ TOKEN: 'x' }, null, 3, 'text'])).toEqual([{ TOKEN: { redacted: true, length: 1 } }, null, 3, 'text']);
  });

  it('matches names case-insensitively in camelCase, snake_case and kebab-case', () => {
    const out = redactPayloadValue({ ClientSecret: 'a', client_secret: 'b', 'client-secret': 'c', CORPSECRET: 'd', apiKey: 'e', Authorization: 'f' });
    expect(Object.values(out as object).every((v) => (v as { redacted?: boolean }).redacted === true)).toBe(true);
  });

  it('does not modify its input', () => {
    expect(state.grant.refreshToken).toBe(secrets.refresh);
  });

  it('redactSecret gives last4 from 12 characters on', () => {
    expect(redactSecret('12345678901')).toEqual({ redacted: true, length: 11 });
    expect(redactSecret('123456789012')).toEqual({ redacted: true, length: 12, last4: '9012' });
  });
});

describe('scrubSecrets', () => {
  it('replaces known secrets, URL-encoded and JSON-escaped forms too', () => {
    const secret = 'p@ss/w"rd+1';
    const text = `POST body={"client_secret":${JSON.stringify(secret)}} url=?secret=${encodeURIComponent(secret)} raw=${secret}`;
    const out = scrubSecrets(text, [secret, undefined, null]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(out.match(/\[redacted\]/g)).toHaveLength(3);
  });

  it('replaces the longest secret first and ignores secrets under 6 characters', () => {
    expect(scrubSecrets('abcdefgh and abcdef and abc', ['abcdef', 'abcdefgh', 'abc'])).toBe('[redacted] and [redacted] and abc');
  });
});
