/** Registration by preset over HTTP: the body, its mapping to the TokenClient's input, the errors, the OpenAPI document. */
import { parseRegistration } from '../../../src/client/registration';
import { inApiTerms } from '../../../src/api/credential-actions';
import { parseCredentialBody, toRegisterInput } from '../../../src/api/schemas';
import { presetNames } from '../../../src/providers/presets';
import { bearer, testKeys, testServer } from './fake-token-client';

const admin = { ...bearer(testKeys.adminAll), 'content-type': 'application/json' };
const trakt = { preset: 'trakt', client_id: 'app-1', client_secret: 'client-secret-VERY-SECRET', refresh_token: 'refresh-token-VERY-SECRET' };

describe('PUT /v1/credentials/:id with a preset', () => {
  it('registers: the TokenClient gets the preset, the camelCase configuration and the grant; the answer names the preset\'s provider', async () => {
    const { app, client } = testServer();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/t1', headers: admin, payload: { ...trakt, default_lifetime_s: 600 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 't1', provider: 'oauth2', created: true });
    expect(client.calls[0]?.args[0]).toEqual({
      id: 't1',
      preset: 'trakt',
      config: { clientId: 'app-1', clientSecret: 'client-secret-VERY-SECRET' },
      grant: { refreshToken: 'refresh-token-VERY-SECRET' },
      policy: { defaultLifetimeMs: 600_000 },
    });
    expect(res.body).not.toContain('VERY-SECRET');
  });

  it('an unknown preset is 422 invalid_config on preset, listing the known presets; nothing is registered', async () => {
    const { app, client } = testServer();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/t1', headers: admin, payload: { ...trakt, preset: 'trackt' } });
    expect(res.statusCode).toBe(422);
    const error = res.json().error;
    expect(error).toMatchObject({ code: 'invalid_config', field: 'preset' });
    for (const name of presetNames) expect(error.message).toContain(name);
    expect(client.calls).toEqual([]);
  });

  it.each([
    ['a field the preset sets', { ...trakt, client_auth: 'client_secret_basic' }, 'client_auth'],
    ['a placeholder of another preset', { ...trakt, tenant: 'contoso' }, 'tenant'],
    ['a missing placeholder', { ...trakt, preset: 'microsoft' }, 'tenant'],
    ['a bad placeholder', { ...trakt, preset: 'okta', domain: 'evil.example/x', auth_server: 'default' }, 'domain'],
    ['a missing refresh token', { ...trakt, refresh_token: undefined }, 'refresh_token'],
    ['a base URL the egress policy refuses', { ...trakt, base_url: 'http://169.254.169.254' }, 'base_url'],
    ['a bad token endpoint', { ...trakt, token_endpoint: 'ftp://x.example/t' }, 'token_endpoint'],
    ['neither provider nor preset', { client_id: 'x' }, 'provider'],
  ])('422 naming the field for %s', async (_name, payload, field) => {
    const { app, client } = testServer();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/t1', headers: admin, payload });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'invalid_config', field });
    expect(client.calls).toEqual([]);
  });

  it('the body maps snake_case placeholders and overrides to the resolved configuration', async () => {
    const body = parseCredentialBody({ ...trakt, preset: 'okta', domain: 'dev-1.okta.com', auth_server: 'default', base_url: 'http://127.0.0.1:9/okta' });
    const spec = await inApiTerms(() => parseRegistration(toRegisterInput('o1', body)));
    expect(spec.config).toMatchObject({ preset: 'okta', tokenEndpoint: 'http://127.0.0.1:9/okta/oauth2/default/v1/token', issuer: 'https://dev-1.okta.com/oauth2/default', clientAuth: 'client_secret_basic' });
  });

  it('reauthorize takes a full preset body too', async () => {
    const { app, client } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/t1', headers: admin, payload: trakt });
    const res = await app.inject({ method: 'POST', url: '/v1/credentials/t1/reauthorize', headers: admin, payload: { ...trakt, refresh_token: 'refresh-token-2-VERY-SECRET' } });
    expect(res.statusCode).toBe(200);
    expect(client.calls.at(-1)).toMatchObject({ method: 'reauthorize', args: ['t1', { grant: { refreshToken: 'refresh-token-2-VERY-SECRET' }, config: { preset: 'trakt', clientAuth: 'client_secret_post' } }] });
  });

  it('the OpenAPI document has a body per preset, beside the provider bodies', async () => {
    const { app } = testServer();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const schemas = doc.components.schemas;
    expect(schemas.CredentialBody.oneOf).toEqual([{ $ref: '#/components/schemas/ProviderCredentialBody' }, { $ref: '#/components/schemas/PresetCredentialBody' }]);
    expect(schemas.PresetCredentialBody.discriminator).toEqual({ propertyName: 'preset' });
    expect(schemas.PresetCredentialBody.oneOf).toHaveLength(presetNames.length);
    expect(schemas.MicrosoftPreset.properties).toHaveProperty('tenant');
    expect(schemas.OktaPreset.properties).toHaveProperty('auth_server');
    expect(schemas.TraktPreset.required).toEqual(expect.arrayContaining(['preset', 'client_id', 'refresh_token']));
    expect(schemas.TraktPreset.properties).not.toHaveProperty('client_auth');
    expect(schemas.TraktPreset.additionalProperties).toBe(false);
  });
});
