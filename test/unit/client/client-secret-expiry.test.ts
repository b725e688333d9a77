/**
 * The declared client-secret expiry as each layer takes it: `TokenClient` registration
 * (`clientSecretExpiresAt`: ISO, epoch ms or Date; refused for providers without a secret), the
 * HTTP API body (`client_secret_expires_at`, 422 naming it), the fingerprint (another expiry is
 * another registration; none keeps the old digests), and the workflow's update validators.
 */
import { ApplicationFailure } from '@temporalio/common';
import { registrationFingerprints } from '../../../src/client/fingerprint';
import { registrationRequest } from '../../../src/client/register-call';
import { parseRegistration } from '../../../src/client/registration';
import { registerOrReplace } from '../../../src/api/credential-actions';
import { parseCredentialBody, toRegisterInput } from '../../../src/api/schemas';
import { InvalidConfigError } from '../../../src/errors';
import { initialState } from '../../../src/workflows/input';
import { validateReauthorizeRequest, validateReconfigureRequest, validateRegisterRequest } from '../../../src/workflows/validators';

const at = '2027-03-01T00:00:00Z';
const atMs = Date.parse(at);
const oauth2 = { id: 'c1', provider: 'oauth2' as const, config: { tokenEndpoint: 'https://auth.example.com/token', clientId: 'id', clientSecret: 'secret-value' }, grant: { refreshToken: 'rt' } };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidConfigError) return `${err.field}: ${err.reason}`;
    if (err instanceof ApplicationFailure) return err.message;
    throw err;
  }
  return undefined;
}

describe('registration', () => {
  it('takes an ISO date-time, epoch ms or a Date, as epoch ms in the spec and the register update', () => {
    for (const value of [at, atMs, new Date(atMs)]) {
      const spec = parseRegistration({ ...oauth2, clientSecretExpiresAt: value });
      expect(spec.clientSecretExpiresAt).toBe(atMs);
      expect(registrationRequest(spec, 'replace').clientSecretExpiresAt).toBe(atMs);
    }
    expect(parseRegistration(oauth2)).not.toHaveProperty('clientSecretExpiresAt');
    expect(registrationRequest(parseRegistration(oauth2), 'create')).not.toHaveProperty('clientSecretExpiresAt');
  });

  it('names the field for bad input', () => {
    for (const value of ['next tuesday', '2027-03-01', -5, 1.5, {}, true]) {
      expect(fieldOf(() => parseRegistration({ ...oauth2, clientSecretExpiresAt: value }))).toMatch(/^clientSecretExpiresAt: must be an ISO 8601 date-time/);
    }
    expect(fieldOf(() => parseRegistration({ ...oauth2, clientSecretExpiresAt: new Date(Number.NaN) }))).toMatch(/^clientSecretExpiresAt: /);
  });

  it('is refused for a provider whose configuration holds no secret', () => {
    const ticket = { id: 't1', provider: 'wechat_jsapi_ticket', config: {}, parent: 'wx', clientSecretExpiresAt: at };
    expect(fieldOf(() => parseRegistration(ticket))).toBe('clientSecretExpiresAt: is not used by the wechat_jsapi_ticket provider: its configuration holds no secret');
  });

  it('is part of the registration fingerprint, not of the grant; without it the digests are unchanged', () => {
    const plain = registrationFingerprints(parseRegistration(oauth2));
    const declared = registrationFingerprints(parseRegistration({ ...oauth2, clientSecretExpiresAt: at }));
    const later = registrationFingerprints(parseRegistration({ ...oauth2, clientSecretExpiresAt: atMs + 1 }));
    expect(declared.fingerprint).not.toBe(plain.fingerprint);
    expect(later.fingerprint).not.toBe(declared.fingerprint);
    expect(declared.grantFingerprint).toBe(plain.grantFingerprint);
    // The digest of a registration without the field is what it was before the field existed.
    expect(plain).toEqual(registrationFingerprints({ ...parseRegistration(oauth2), clientSecretExpiresAt: undefined }));
  });
});

describe('HTTP API body', () => {
  const body = { provider: 'oauth2', token_endpoint: 'https://auth.example.com/token', client_id: 'id', client_secret: 'secret-value', refresh_token: 'rt' };

  it('client_secret_expires_at reaches the registration, for a provider body and a preset body', () => {
    expect(toRegisterInput('c1', parseCredentialBody({ ...body, client_secret_expires_at: at })).clientSecretExpiresAt).toBe(at);
    const preset = toRegisterInput('c2', parseCredentialBody({ preset: 'github', client_id: 'id', client_secret: 'secret-value', refresh_token: 'rt', client_secret_expires_at: at }));
    expect(preset.clientSecretExpiresAt).toBe(at);
    expect(preset.config).not.toHaveProperty('clientSecretExpiresAt');
  });

  it('a bad value is a 422 naming client_secret_expires_at; a provider without a secret has no such field', async () => {
    expect(fieldOf(() => parseCredentialBody({ ...body, client_secret_expires_at: 'soon' }))).toBe('client_secret_expires_at: must be an ISO 8601 date-time with a time zone');
    expect(fieldOf(() => parseCredentialBody({ provider: 'wechat_jsapi_ticket', parent: 'wx', client_secret_expires_at: at }))).toBe('client_secret_expires_at: is not a field of this request');
    const client = { register: () => Promise.reject(new Error('not reached')) } as never;
    await expect(registerOrReplace(client, 'c1', { ...body, client_secret_expires_at: 17 })).rejects.toMatchObject({ field: 'client_secret_expires_at' });
  });
});

describe('update validators', () => {
  const state = initialState({ id: 'c1', provider: 'oauth2', config: {}, grant: { refreshToken: 'rt' } }, 0);
  const register = { mode: 'replace' as const, fingerprint: 'f', grantFingerprint: 'g', provider: 'oauth2' as const, config: {}, settings: {}, grant: { refreshToken: 'rt' } };

  it('accept an instant in epoch ms (and null, for reconfigure: forget it)', () => {
    expect(fieldOf(() => validateRegisterRequest(state, { ...register, clientSecretExpiresAt: atMs }))).toBeUndefined();
    expect(fieldOf(() => validateReconfigureRequest({ clientSecretExpiresAt: atMs }))).toBeUndefined();
    expect(fieldOf(() => validateReconfigureRequest({ clientSecretExpiresAt: null }))).toBeUndefined();
    expect(fieldOf(() => validateReauthorizeRequest(state, { grant: { refreshToken: 'rt' }, config: {}, clientSecretExpiresAt: atMs }))).toBeUndefined();
  });

  it('reject anything else, naming the field', () => {
    expect(fieldOf(() => validateRegisterRequest(state, { ...register, clientSecretExpiresAt: at as never }))).toBe('clientSecretExpiresAt: must be an instant in epoch milliseconds');
    expect(fieldOf(() => validateReconfigureRequest({ clientSecretExpiresAt: -1 }))).toBe('clientSecretExpiresAt: must be an instant in epoch milliseconds, or null to forget it');
    expect(fieldOf(() => validateReauthorizeRequest(state, { grant: { refreshToken: 'rt' }, clientSecretExpiresAt: null as never }))).toMatch(/^clientSecretExpiresAt: /);
  });
});
