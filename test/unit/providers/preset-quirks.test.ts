/**
 * The quirks of a preset as the oauth2 provider reads them, each against a loopback server that
 * answers as the provider does, with a control: the same answer without the preset (what the
 * quirk changes).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseRegistration } from '../../../src/client/registration';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../../src/fakes/fake-http';
import { presetErrorCode, presetErrorRow } from '../../../src/providers/preset-quirks';
import { context, manualClock, providerFailure, refreshWith } from './kit';

describe('preset quirks read by the oauth2 provider', () => {
  let server: LoopbackServer;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    server = await startLoopbackServer((req, res, body) => {
      seen.push({ headers: req.headers, body });
      sendJson(res, answer.status, answer.body);
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const grant = { refreshToken: 'rt-sent-123456' };
  const config = (preset?: string) => ({ tokenEndpoint: `${server.url}/token`, clientId: 'app', clientSecret: 'secret-123456', ...(preset ? { preset } : {}) });
  const answering = (status: number, body: unknown) => {
    answer = { status, body };
  };

  describe('Slack: errors in a 200 with "ok": false, token_type bot', () => {
    it('{ok: false, error: invalid_refresh_token} is a rejected grant (reauth), not a malformed answer', async () => {
      answering(200, { ok: false, error: 'invalid_refresh_token' });
      const err = await providerFailure(refreshWith('oauth2', config('slack'), grant, context()));
      expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'reauth', code: 'invalid_refresh_token', httpStatus: 200 });
      expect(err.message).toContain('slack: the refresh token is invalid');
      const control = await providerFailure(refreshWith('oauth2', config(), grant, context()));
      expect({ kind: control.kind, code: control.code }).toEqual({ kind: 'malformed', code: 'missing_access_token' });
    });

    it('internal_error is transient; a wrong secret is configuration', async () => {
      answering(200, { ok: false, error: 'internal_error' });
      expect((await providerFailure(refreshWith('oauth2', config('slack'), grant, context()))).kind).toBe('transient');
      answering(200, { ok: false, error: 'bad_client_secret' });
      const err = await providerFailure(refreshWith('oauth2', config('slack'), grant, context()));
      expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'bad_client_secret' });
    });

    it('a success with token_type bot is a Bearer token, its rotated refresh token kept', async () => {
      answering(200, { ok: true, access_token: 'xoxe.xoxb-1', token_type: 'bot', expires_in: 43_200, refresh_token: 'xoxe-1-new', scope: 'chat:write' });
      const clock = manualClock();
      const result = await refreshWith('oauth2', config('slack'), grant, context({ now: clock.now }));
      expect(result.token).toMatchObject({ accessToken: 'xoxe.xoxb-1', tokenType: 'Bearer', expiresAt: clock.now() + 43_199_000 });
      expect(result.refreshToken).toBe('xoxe-1-new');
      const control = await providerFailure(refreshWith('oauth2', config(), grant, context()));
      expect({ code: control.code, rotatedRefreshToken: control.rotatedRefreshToken }).toEqual({ code: 'invalid_token_type', rotatedRefreshToken: 'xoxe-1-new' });
    });
  });

  describe('GitHub: Accept: application/json, errors in a 200, numbers as strings', () => {
    it('every token request asks for JSON', async () => {
      answering(200, { access_token: 'ghu_1', token_type: 'bearer', expires_in: '28800', refresh_token: 'ghr_2', refresh_token_expires_in: '15811200' });
      await refreshWith('oauth2', config('github'), grant, context());
      expect(seen.at(-1)?.headers.accept).toBe('application/json');
    });

    it('string expires_in is read as seconds, with no warning', async () => {
      const clock = manualClock();
      const result = await refreshWith('oauth2', config('github'), grant, context({ now: clock.now }));
      expect(result.token.expiresAt).toBe(clock.now() + 8 * 3_600_000 - 1_000);
      expect(result.warning).toBeUndefined();
    });

    it('{error: bad_refresh_token} with HTTP 200 is a rejected grant; without the preset it was a malformed answer', async () => {
      answering(200, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.', error_uri: 'https://docs.github.com/x' });
      const err = await providerFailure(refreshWith('oauth2', config('github'), grant, context()));
      expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'reauth', code: 'bad_refresh_token', httpStatus: 200 });
      expect(err.message).toContain('incorrect or expired');
      const control = await providerFailure(refreshWith('oauth2', config(), grant, context()));
      expect(control.kind).toBe('malformed');
    });

    it('an unknown error in a 200 is configuration, named by its code', async () => {
      answering(200, { error: 'incorrect_client_credentials' });
      const err = await providerFailure(refreshWith('oauth2', config('github'), grant, context()));
      expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'incorrect_client_credentials' });
    });
  });

  it('Auth0: 403 invalid_grant is a rejected grant (the standard rows already read any status), with the preset\'s note', async () => {
    answering(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
    const err = await providerFailure(refreshWith('oauth2', config('auth0'), grant, context()));
    expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'reauth', code: 'invalid_grant', httpStatus: 403 });
    expect(err.message).toContain('auth0: ');
    const control = await providerFailure(refreshWith('oauth2', config(), grant, context()));
    expect({ kind: control.kind, code: control.code }).toEqual({ kind: 'reauth', code: 'invalid_grant' });
  });

  it('Microsoft: an AADSTS code in error_description names the failure; interaction_required is re-authorization', async () => {
    answering(400, { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.' });
    expect((await providerFailure(refreshWith('oauth2', config('microsoft'), grant, context()))).code).toBe('aadsts700082');
    answering(400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.' });
    expect((await providerFailure(refreshWith('oauth2', config('microsoft'), grant, context()))).code).toBe('aadsts70008');
    answering(400, { error: 'interaction_required', error_description: 'AADSTS50076: MFA required.' });
    const err = await providerFailure(refreshWith('oauth2', config('microsoft'), grant, context()));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'reauth', code: 'interaction_required' });
    const control = await providerFailure(refreshWith('oauth2', config(), grant, context()));
    expect(control.kind).toBe('configuration');
  });

  it('PikPak: error_code rows (numbers in the answer) refine the answer', async () => {
    answering(400, { error: 'invalid_argument', error_code: 4126, error_description: 'refresh token invalid' });
    const err = await providerFailure(refreshWith('oauth2', config('pikpak'), grant, context()));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'reauth', code: 'error_code_4126' });
    answering(400, { error: 'too_frequent', error_code: 10 });
    expect((await providerFailure(refreshWith('oauth2', config('pikpak'), grant, context()))).kind).toBe('transient');
  });

  it('no expires_in: the preset\'s access-token lifetime (through the policy registration sets), the lifetime marked assumed', async () => {
    const spec = parseRegistration({ id: 's1', preset: 'salesforce', config: { clientId: 'app', clientSecret: 'secret-123456', loginHost: 'login.salesforce.com' }, grant });
    answering(200, { access_token: '00D!x', token_type: 'Bearer', instance_url: 'https://na1.salesforce.com', id: 'https://login.salesforce.com/id/1' });
    const clock = manualClock();
    const ctx = context({ now: clock.now, defaultLifetimeMs: spec.policy?.defaultLifetimeMs });
    const result = await refreshWith('oauth2', { ...spec.config, tokenEndpoint: `${server.url}/token` }, grant, ctx);
    expect(result.token).toMatchObject({ expiresAt: clock.now() + 2 * 3_600_000, assumedLifetime: true, metadata: { instance_url: 'https://na1.salesforce.com' } });
    answering(200, { access_token: 'a', token_type: 'Bearer', expires_in: 60 });
    expect((await refreshWith('oauth2', config(), grant, context())).token).not.toHaveProperty('assumedLifetime');
  });

  it('row matching: field=value on text and numbers, field~text, body~text, first match wins; codes', () => {
    const rows = [
      { match: 'error_description~AADSTS700082', kind: 'reauth', note: 'a' },
      { match: 'error_description~AADSTS70008', kind: 'reauth', note: 'b' },
      { match: 'error_code=10', kind: 'transient', note: 'c' },
      { match: 'body~quota', kind: 'transient', note: 'd' },
    ] as const;
    expect(presetErrorRow(rows, { error_description: 'AADSTS700082: x' })?.note).toBe('a');
    expect(presetErrorRow(rows, { error_description: 'AADSTS70008: x' })?.note).toBe('b');
    expect(presetErrorRow(rows, { error_code: 10 })?.note).toBe('c');
    expect(presetErrorRow(rows, { error_code: 100 })).toBeUndefined();
    expect(presetErrorRow(rows, { message: 'daily quota reached' })?.note).toBe('d');
    expect(presetErrorRow(undefined, { error: 'x' })).toBeUndefined();
    expect(rows.map(presetErrorCode)).toEqual(['aadsts700082', 'aadsts70008', 'error_code_10', 'quota']);
    expect(presetErrorCode({ match: 'error=invalid_grant', kind: 'reauth', note: '' })).toBe('invalid_grant');
  });
});
