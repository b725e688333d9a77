/**
 * One source of provider knowledge (issue 8.1): the registry follows the one list of names, every
 * derived view (the API body, the secret names, docs/providers.md) follows the provider modules.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { credentialBodySchema, providerBodySchemas } from '../../../src/api/schemas';
import { generatedSections, renderProviderDocs } from '../../../src/providers/catalog';
import { snakeCase as apiNameOf } from '../../../src/providers/config-fields';
import { providerNames } from '../../../src/providers/names';
import { providerList, providers } from '../../../src/providers/registry';
import { isSecretName } from '../../../src/secrets';

const docsPath = path.join(__dirname, '..', '..', '..', 'docs', 'providers.md');

describe('provider catalog', () => {
  test('the registry holds exactly the providers of names.ts, in its order', () => {
    expect(providerList.map((p) => p.name)).toEqual([...providerNames]);
    expect(Object.keys(providers)).toEqual([...providerNames]);
  });

  test('docs/providers.md is up to date with the provider modules (run renderProviderDocs to regenerate)', () => {
    const docs = readFileSync(docsPath, 'utf8');
    expect(renderProviderDocs(docs)).toBe(docs);
    for (const name of Object.keys(generatedSections())) expect(docs).toContain(`<!-- ${name} -->`);
  });

  test.each(providerList.map((p) => [p.name, p] as const))('%s: every configuration field is in the API body under its snake_case name', (_name, p) => {
    const shape = providerBodySchemas[p.name].shape as Record<string, unknown>;
    for (const field of Object.keys(p.fields)) expect(shape).toHaveProperty(apiNameOf(field));
    expect('refresh_token' in shape).toBe(p.needsRefreshToken || p.optionalGrant === true);
  });

  test.each(providerList.map((p) => [p.name, p] as const))('%s: its secret fields are secret names in both spellings', (_name, p) => {
    for (const field of p.secretFields) {
      expect(isSecretName(field)).toBe(true);
      expect(isSecretName(apiNameOf(field))).toBe(true);
    }
    for (const field of Object.keys(p.fields).filter((f) => !p.secretFields.includes(f))) expect(isSecretName(field)).toBe(false);
  });

  test('the API takes the fields the configuration has (WeChat force budget, OAuth 2.0 issuer)', () => {
    expect(credentialBodySchema.safeParse({ provider: 'wechat', appid: 'wx1', secret: 'app-secret-1', stable: true, renew_window_ms: 60_000, force_refresh_per_day: 5 }).success).toBe(true);
    expect(credentialBodySchema.safeParse({ provider: 'oauth2', issuer: 'https://login.example.com/oauth2/default', client_id: 'c', client_secret: 'cs-123456', refresh_token: 'rt-123456' }).success).toBe(true);
    expect(credentialBodySchema.safeParse({ provider: 'wecom', corpid: 'c', corpsecret: 's', refresh_token: 'x' }).success).toBe(false);
  });

  test('the API takes the key-based kinds: a service account file as it is, a JWK object, the GitHub App narrowing; a bad key fails on its field', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const serviceAccount = { type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: rsa, project_id: 'p', client_id: '1' };
    expect(credentialBodySchema.safeParse({ provider: 'jwt_bearer', service_account: serviceAccount, scope: 'cloud' }).success).toBe(true);
    expect(credentialBodySchema.safeParse({ provider: 'jwt_bearer', service_account: JSON.stringify(serviceAccount) }).success).toBe(true);
    expect(credentialBodySchema.safeParse({ provider: 'github_app', app_id: 12, private_key: rsa, installation_id: 3, repositories: ['site'], permissions: { contents: 'read' } }).success).toBe(true);
    expect(credentialBodySchema.safeParse({ provider: 'oauth2_client_credentials', token_endpoint: 'https://a.example.com/t', client_id: 'c', client_auth: 'private_key_jwt', private_key: jwk }).success).toBe(true);
    const bad = credentialBodySchema.safeParse({ provider: 'github_app', app_id: 12, private_key: 'not a key', installation_id: 3 });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'))).toEqual(['private_key']);
    expect(credentialBodySchema.safeParse({ provider: 'jwt_bearer', token_endpoint: 'https://a.example.com/t', issuer: 'i', private_key: rsa, refresh_token: 'rt' }).success).toBe(false);
  });
});
