/**
 * One secrets module (issue 8.2): the logger, the codec's redaction and the API's `isSecretName`
 * use the same names, in any spelling; one scrubber with one minimum length; a rotated refresh
 * token carried by a ProviderError never reaches a log line.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { isSecretName as apiIsSecretName } from '../../../src/api/schemas';
import { redactPayloadValue, scrubSecrets } from '../../../src/codec/redact';
import { ProviderError } from '../../../src/errors';
import { createLogger } from '../../../src/logger';
import { providerList } from '../../../src/providers/registry';
import { isSecretName, minScrubLength, scrubKnownSecrets, secretFieldNames } from '../../../src/secrets';

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const kebabUpper = (name: string) => name.replace(/_/g, '-').toUpperCase();

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) });
  write(createLogger('trace', sink));
  return text;
}

describe('the secret names', () => {
  test('include every provider secret field', () => {
    for (const p of providerList) for (const f of p.secretFields) expect(secretFieldNames.map(camel)).toContain(f);
  });

  test.each(secretFieldNames.map((n) => [n] as [string]))('%s: secret to the API, the codec and the logger, in every spelling', (name) => {
    const value = `value-of-${name}-0123456789`;
    for (const spelling of [name, camel(name), kebabUpper(name)]) {
      expect(isSecretName(spelling)).toBe(true);
      expect(apiIsSecretName(spelling)).toBe(true);
      expect(JSON.stringify(redactPayloadValue({ [spelling]: value }))).not.toContain(value);
      expect(logged((l) => l.info({ nested: { [spelling]: value } }, 'x'))).not.toContain(value);
    }
  });

  test('ordinary names are not secrets', () => {
    for (const name of ['clientId', 'appid', 'tokenEndpoint', 'expiresAt', 'tokenType', 'version', 'keyIds']) expect(isSecretName(name)).toBe(false);
  });

  test('keys held as objects (a service account key file, a JWK) are redacted whole; PEM blocks and signed JWTs in text are scrubbed', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const line = pem.split('\n')[1] ?? '';
    const jwt = `eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJzdmMiLCJqdGkiOiIxIn0.${'s'.repeat(40)}`;
    const text = logged((l) => {
      l.info({ config: { serviceAccount: { type: 'service_account', private_key: pem }, privateKey: jwk } }, 'registered');
      l.warn(`answer echoed ${pem} and ${jwt}`);
      l.warn({ detail: `key ${pem}` }, 'x');
    });
    expect(text).toContain('registered');
    for (const secret of [pem, line, jwk.d ?? '-', jwt, JSON.stringify(pem).slice(1, -1)]) expect(text).not.toContain(secret);
    const decoded = JSON.stringify(redactPayloadValue({ config: { serviceAccount: { private_key: pem }, privateKey: JSON.stringify(jwk) } }));
    expect(decoded).not.toContain(line);
    expect(decoded).not.toContain(jwk.d);
  });

  test('a rotated refresh token on a ProviderError is kept out of JSON and logs', () => {
    const rotated = 'rt-rotated-in-a-failed-answer-0123456789';
    const err = new ProviderError('malformed', 'invalid_expires_in', 'bad expires_in', { rotatedRefreshToken: rotated });
    expect(err.rotatedRefreshToken).toBe(rotated);
    expect(JSON.stringify(err)).not.toContain(rotated);
    expect(logged((l) => { l.error({ err }, 'refresh failed'); l.error(err); })).not.toContain(rotated);
  });
});

describe('the one scrubber', () => {
  test('the codec re-exports it; one minimum length', () => {
    expect(scrubSecrets).toBe(scrubKnownSecrets);
    const short = 'x'.repeat(minScrubLength - 1);
    const long = 'y'.repeat(minScrubLength);
    expect(scrubKnownSecrets(`${short} ${long}`, [short, long])).toBe(`${short} [redacted]`);
  });
});
