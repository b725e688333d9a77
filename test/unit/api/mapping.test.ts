/** Pure mappings of the API: field names, wire shapes, and the error table. */
import { secretValuesOf, toApiError } from '../../../src/api/errors';
import { isTemporalUnavailable } from '../../../src/error-outcomes';
import { describeResponse, tokenResponse } from '../../../src/api/responses';
import { apiFieldName, camelCase, snakeCase, toRegisterInput } from '../../../src/api/schemas';
import type { CredentialDescription } from '../../../src/credential';
import { defaultPolicy } from '../../../src/credential';
import {
  AuthenticationError,
  CredentialExistsError,
  CredentialNotFoundError,
  InvalidConfigError,
  InvalidRequestError,
  PermissionDeniedError,
  ProviderMismatchError,
  ReauthRequiredError,
  RefreshFailedError,
  TokenExpiredError,
} from '../../../src/errors';

describe('field names', () => {
  it.each([
    ['config.tokenEndpoint', 'token_endpoint'],
    ['config.clientAuth', 'client_auth'],
    ['config.baseUrl', 'base_url'],
    ['config.corpsecret', 'corpsecret'],
    ['config.serviceAccount.client_email', 'service_account.client_email'],
    ['config.extraParams.tenant', 'extra_params.tenant'],
    ['config.metadataFields.1', 'metadata_fields.1'],
    ['grant.refreshToken', 'refresh_token'],
    ['token.accessToken', 'access_token'],
    ['token.expiresAt', 'expires_at'],
    ['policy.refreshRatio', 'refresh_ratio'],
    ['policy.minRefreshIntervalMs', 'min_refresh_interval_s'],
    ['policy.maxRefreshesPerDay', 'max_refreshes_per_day'],
    ['staleVersion', 'stale_version'],
    ['config', 'body'],
    ['id', 'id'],
  ])('%s → %s', (client, api) => expect(apiFieldName(client)).toBe(api));

  it('snake and camel case are inverse for the API fields', () => {
    for (const f of ['token_endpoint', 'client_id', 'client_secret', 'base_url', 'appid', 'corpsecret', 'stable']) {
      expect(snakeCase(camelCase(f))).toBe(f);
    }
  });
});

describe('shapes', () => {
  it('toRegisterInput keeps secrets in config/grant only, policy in camelCase milliseconds', () => {
    const input = toRegisterInput('x', {
      provider: 'wecom',
      corpid: 'c',
      corpsecret: 's',
      base_url: 'https://qyapi.example',
      min_refresh_interval_s: 1.5,
    });
    expect(input).toEqual({ id: 'x', provider: 'wecom', config: { corpid: 'c', corpsecret: 's', baseUrl: 'https://qyapi.example' }, policy: { minRefreshIntervalMs: 1500 } });
  });

  it('tokenResponse gives ISO expiry and whole seconds left', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(tokenResponse({ accessToken: 'a', tokenType: 'Bearer', expiresAt: now + 90_500, version: 3, status: 'degraded', scope: 's' }, now)).toEqual({
      access_token: 'a',
      token_type: 'Bearer',
      expires_at: '2030-01-01T00:01:30.500Z',
      expires_in: 90,
      version: 3,
      status: 'degraded',
      scope: 's',
    });
  });

  it('tokenResponse carries the kept answer metadata', () => {
    const now = Date.UTC(2030, 0, 1);
    const body = tokenResponse({ accessToken: 'a', tokenType: 'Bearer', expiresAt: now + 60_000, version: 1, status: 'active', metadata: { instance_url: 'https://na1.example.my' } }, now);
    expect(body.metadata).toEqual({ instance_url: 'https://na1.example.my' });
    expect(tokenResponse({ accessToken: 'a', tokenType: 'Bearer', expiresAt: now, version: 1, status: 'active' }, now)).not.toHaveProperty('metadata');
  });

  it('toRegisterInput takes a service account key file as it is, and the GitHub App fields', () => {
    const serviceAccount = { type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\n…', project_id: 'p' };
    expect(toRegisterInput('x', { provider: 'jwt_bearer', service_account: serviceAccount, scope: 'cloud', metadata_fields: ['instance_url'] }).config).toEqual({ serviceAccount, scope: 'cloud', metadataFields: ['instance_url'] });
    expect(toRegisterInput('y', { provider: 'github_app', app_id: '1', private_key: 'k', installation_id: 2, repository_ids: [3] }).config).toEqual({ appId: '1', privateKey: 'k', installationId: 2, repositoryIds: [3] });
  });

  it('describeResponse drops secret-named settings and undefined fields', () => {
    const d: CredentialDescription = {
      id: 'x',
      provider: 'oauth2',
      settings: { tokenEndpoint: 'https://e', clientSecret: 'leak', client_secret: 'leak', apiKey: 'leak' },
      status: 'reauth_required',
      version: 2,
      lastError: { kind: 'reauth', code: 'invalid_grant', message: 'grant rejected', at: 0 },
      counts: { refreshes: 1, upstreamCalls: 2, failures: 1, coalesced: 0, runs: 1 },
      policy: { ...defaultPolicy },
      quota: { callsLast24h: 2, maxPerDay: 1000, minIntervalMs: 10_000, nextAllowedAt: 0 },
      hasRefreshToken: true,
      createdAt: 0,
    };
    const body = describeResponse(d);
    expect(body.settings).toEqual({ token_endpoint: 'https://e' });
    expect(JSON.stringify(body)).not.toContain('leak');
    expect(body).not.toHaveProperty('expires_at');
    expect(body.last_error).toEqual({ kind: 'reauth', code: 'invalid_grant', message: 'grant rejected', at: '1970-01-01T00:00:00.000Z' });
    expect(body.policy).toMatchObject({ retry_initial_s: 1, upstream_timeout_s: 15, max_cycles_per_run: 25, jitter_ratio: 0.04 });
  });
});

describe('error table', () => {
  it.each([
    [new InvalidRequestError('id', 'bad'), 400, 'invalid_request'],
    [new AuthenticationError('no key'), 401, 'unauthorized'],
    [new PermissionDeniedError('admin', 'no'), 403, 'forbidden'],
    [new CredentialNotFoundError('x'), 404, 'credential_not_found'],
    [new CredentialExistsError('x'), 409, 'credential_exists'],
    [new ProviderMismatchError('x', 'oauth2', 'wecom'), 409, 'provider_mismatch'],
    [new ReauthRequiredError('x', 'invalid_grant'), 409, 'reauth_required'],
    [new InvalidConfigError('client_id', 'must not be empty'), 422, 'invalid_config'],
    [new RefreshFailedError('x', 'http_500', 'upstream 500'), 502, 'refresh_failed'],
    [new TokenExpiredError('x'), 503, 'token_expired'],
    [Object.assign(new Error('413'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 413, 'payload_too_large'],
    [Object.assign(new Error('bad json'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }), 400, 'invalid_request'],
    [new Error('boom'), 500, 'internal'],
    ['a string', 500, 'internal'],
  ])('%p → %d %s', (err, status, code) => {
    const answer = toApiError(err);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at /);
  });

  it('401 and 403 carry RFC 6750 challenges', () => {
    expect(toApiError(new AuthenticationError('x', 'invalid_token')).headers['WWW-Authenticate']).toBe('Bearer realm="halflife", error="invalid_token"');
    expect(toApiError(new PermissionDeniedError('refresh', 'x')).headers['WWW-Authenticate']).toBe('Bearer realm="halflife", error="insufficient_scope", scope="refresh"');
  });

  it('recognises Temporal being unreachable through causes, not other gRPC errors', () => {
    const grpc = (code: number) => Object.assign(new Error(`${code}`), { code, details: 'd', metadata: {} });
    expect(isTemporalUnavailable(grpc(14))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('wrapped'), { name: 'ServiceError', cause: grpc(4) }))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('x'), { name: 'WorkflowUpdateRPCTimeoutOrCancelledError' }))).toBe(true);
    expect(isTemporalUnavailable(grpc(3))).toBe(false);
    expect(isTemporalUnavailable(new Error('plain'))).toBe(false);
  });

  it('collects the secret values of a body for scrubbing', () => {
    expect(secretValuesOf({ client_id: 'id', client_secret: 's1', refresh_token: 's2', secret: 's3', corpsecret: 's4', access_token: 's5', n: 1 }).sort()).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(secretValuesOf(undefined)).toEqual([]);
    // A secret field holding an object (a service account key file, a JWK): every string in it.
    const pem = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n-----END PRIVATE KEY-----\n`;
    const d = 'd'.repeat(43);
    expect(secretValuesOf({ service_account: { type: 'service_account', private_key: pem, nested: { x: 'v'.repeat(40) } }, private_key: { kty: 'EC', d } }).sort()).toEqual([pem, d, 'v'.repeat(40)].sort());
  });
});
