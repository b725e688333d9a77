/**
 * Start-up configuration: the defaults, every variable's bad value named in the error, the dev
 * server's ports, and what NODE_ENV=production refuses (checked through the service's own start,
 * before it connects to anything).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey } from '../../src/codec/keyring';
import { loadConfig, withConfigDefaults } from '../../src/config';
import { InvalidConfigError } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { keyringOf } from '../../src/service/connections';
import { startService } from '../../src/service/start';

/** A profile file that does not exist, so a developer's own Temporal profile never leaks into a test. */
const isolated = { TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'halflife-no-such-profile.toml') };

/** The InvalidConfigError `fn` throws (fails the test when it throws nothing or something else). */
function configError(fn: () => unknown): InvalidConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ name: 'InvalidConfigError', code: 'invalid_config' });
    return err as InvalidConfigError;
  }
  throw new Error('expected an InvalidConfigError, but nothing was thrown');
}

describe('defaults', () => {
  it('runs against a local dev server on 7233 with its UI on 8233, state in <cwd>/.halflife', () => {
    const config = loadConfig({ ...isolated });
    expect(config).toEqual({
      temporal: { address: 'localhost:7233' },
      temporalAddressGiven: false,
      devServer: { port: 7233, uiPort: 8233 },
      namespace: 'default',
      taskQueue: 'halflife',
      redisUrl: undefined,
      redisPrefix: 'halflife',
      stateDir: path.join(process.cwd(), '.halflife'),
      encryptionKeys: undefined,
      apiHost: '127.0.0.1',
      apiPort: 7380,
      apiKeysJson: undefined,
      publicUrl: 'http://127.0.0.1:7380',
      uiOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
      logLevel: 'info',
      production: false,
    });
  });

  it('loadConfig and withConfigDefaults agree (one home for the defaults)', () => {
    expect(loadConfig({ ...isolated })).toEqual(withConfigDefaults({ temporal: {} }));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...isolated,
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      TEMPORAL_NAMESPACE: 'billing',
      HALFLIFE_TASK_QUEUE: 'tq',
      REDIS_URL: 'rediss://cache:6380',
      HALFLIFE_REDIS_PREFIX: 'hl_1',
      HALFLIFE_STATE_DIR: 'relative/state',
      HALFLIFE_ENCRYPTION_KEYS: 'k1:x',
      HALFLIFE_API_HOST: '0.0.0.0',
      HALFLIFE_API_PORT: '8080',
      HALFLIFE_API_KEYS: '[]',
      HALFLIFE_UI_ORIGINS: ' https://ui.example.com , http://localhost:9000',
      HALFLIFE_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      temporal: { address: 'temporal.example.com:7233' },
      temporalAddressGiven: true,
      namespace: 'billing',
      taskQueue: 'tq',
      redisUrl: 'rediss://cache:6380',
      redisPrefix: 'hl_1',
      stateDir: path.resolve('relative/state'),
      encryptionKeys: 'k1:x',
      apiHost: '0.0.0.0',
      apiPort: 8080,
      apiKeysJson: '[]',
      uiOrigins: ['https://ui.example.com', 'http://localhost:9000'],
      logLevel: 'debug',
    });
  });

  it('reads the API keys from HALFLIFE_API_KEYS_FILE', () => {
    const read: string[] = [];
    const config = loadConfig({ ...isolated, HALFLIFE_API_KEYS_FILE: '/run/secrets/keys' }, (file) => (read.push(file), '[{"k":1}]'));
    expect(read).toEqual(['/run/secrets/keys']);
    expect(config.apiKeysJson).toBe('[{"k":1}]');
  });
});

describe('the dev server ports', () => {
  it('HALFLIFE_TEMPORAL_PORT moves the default address, the UI port and the codec origins with it', () => {
    const config = loadConfig({ ...isolated, HALFLIFE_TEMPORAL_PORT: '17233' });
    expect(config.temporal.address).toBe('localhost:17233');
    expect(config.devServer).toEqual({ port: 17233, uiPort: 18233 });
    expect(config.uiOrigins).toEqual(['http://localhost:18233', 'http://127.0.0.1:18233']);
  });

  it('HALFLIFE_UI_PORT sets the UI port and the codec origins; HALFLIFE_UI_ORIGINS still wins', () => {
    expect(loadConfig({ ...isolated, HALFLIFE_UI_PORT: '9999' }).uiOrigins).toEqual(['http://localhost:9999', 'http://127.0.0.1:9999']);
    expect(loadConfig({ ...isolated, HALFLIFE_UI_PORT: '9999', HALFLIFE_UI_ORIGINS: 'https://ui.example.com' }).uiOrigins).toEqual(['https://ui.example.com']);
  });

  it('ports that collide, or a UI port beyond 65535, name the variable to change', () => {
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_TEMPORAL_PORT: '7000', HALFLIFE_UI_PORT: '7000' })).field).toBe('HALFLIFE_UI_PORT');
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_API_PORT: '8233' })).field).toBe('HALFLIFE_API_PORT');
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_TEMPORAL_PORT: '7380' })).field).toBe('HALFLIFE_API_PORT');
    const beyond = configError(() => loadConfig({ ...isolated, HALFLIFE_TEMPORAL_PORT: '65000' }));
    expect(beyond.field).toBe('HALFLIFE_UI_PORT');
    expect(beyond.reason).toContain('66000');
  });

  it('are not checked when TEMPORAL_ADDRESS names the server (no dev server runs)', () => {
    const config = loadConfig({ ...isolated, TEMPORAL_ADDRESS: 'temporal:7233', HALFLIFE_API_PORT: '8233' });
    expect(config.temporalAddressGiven).toBe(true);
    expect(config.apiPort).toBe(8233);
  });
});

describe('worker metrics', () => {
  it('are off by default, on with HALFLIFE_WORKER_METRICS_PORT (loopback unless HALFLIFE_WORKER_METRICS_HOST), with an optional SDK port', () => {
    expect(loadConfig({ ...isolated }).workerMetrics).toBeUndefined();
    expect(loadConfig({ ...isolated, HALFLIFE_WORKER_METRICS_PORT: '9464' }).workerMetrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ ...isolated, HALFLIFE_WORKER_METRICS_PORT: '9464', HALFLIFE_WORKER_METRICS_HOST: '0.0.0.0', HALFLIFE_SDK_METRICS_PORT: '9465' }).workerMetrics).toEqual({
      host: '0.0.0.0',
      port: 9464,
      sdkPort: 9465,
    });
  });

  it('a bad or colliding port names its variable', () => {
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_WORKER_METRICS_PORT: '0' })).field).toBe('HALFLIFE_WORKER_METRICS_PORT');
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_WORKER_METRICS_PORT: '9464', HALFLIFE_SDK_METRICS_PORT: 'x' })).field).toBe('HALFLIFE_SDK_METRICS_PORT');
    const same = configError(() => loadConfig({ ...isolated, HALFLIFE_WORKER_METRICS_PORT: '9464', HALFLIFE_SDK_METRICS_PORT: '9464' }));
    expect(same.field).toBe('HALFLIFE_SDK_METRICS_PORT');
    expect(same.reason).toContain('9464');
  });
});

describe('a bad value names its variable', () => {
  it.each([
    ['TEMPORAL_ADDRESS', 'no-port-here', /host:port/],
    ['TEMPORAL_ADDRESS', 'http://temporal:7233', /host:port/],
    ['TEMPORAL_TLS', 'maybe', /true, false/],
    ['TEMPORAL_NAMESPACE', '', /./],
    ['HALFLIFE_TEMPORAL_PORT', '0', /port number/],
    ['HALFLIFE_UI_PORT', '70000', /port number/],
    ['HALFLIFE_API_PORT', 'eighty', /./],
    ['HALFLIFE_API_PORT', '80.5', /whole number/],
    ['HALFLIFE_TASK_QUEUE', 'q'.repeat(201), /./],
    ['REDIS_URL', 'http://cache:6379', /redis:\/\/ or rediss:\/\//],
    ['HALFLIFE_REDIS_PREFIX', 'has space', /letters, digits/],
    ['HALFLIFE_STATE_DIR', '', /./],
    ['HALFLIFE_ENCRYPTION_KEYS', '', /./],
    ['HALFLIFE_API_HOST', '', /./],
    ['HALFLIFE_API_KEYS', '', /./],
    ['HALFLIFE_UI_ORIGINS', '*', /origins/],
    ['HALFLIFE_UI_ORIGINS', 'http://localhost:8233/path', /origins/],
    ['HALFLIFE_LOG_LEVEL', 'loud', /./],
  ])('%s=%j', (variable, value, reason) => {
    const err = configError(() => loadConfig({ ...isolated, [variable]: value }));
    expect(err.field).toBe(variable);
    expect(err.reason).toMatch(reason);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('HALFLIFE_API_KEYS together with HALFLIFE_API_KEYS_FILE', () => {
    expect(configError(() => loadConfig({ ...isolated, HALFLIFE_API_KEYS: '[]', HALFLIFE_API_KEYS_FILE: '/k' }, () => '[]')).field).toBe('HALFLIFE_API_KEYS_FILE');
  });

  it('HALFLIFE_API_KEYS_FILE that cannot be read', () => {
    const err = configError(() => loadConfig({ ...isolated, HALFLIFE_API_KEYS_FILE: path.join(os.tmpdir(), 'halflife-missing-keys.json') }));
    expect(err.field).toBe('HALFLIFE_API_KEYS_FILE');
    expect(err.reason).toContain('ENOENT');
  });

  it('a Temporal profile that cannot be read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-config-'));
    try {
      const file = path.join(dir, 'temporal.toml');
      fs.writeFileSync(file, 'this is = = not toml [');
      expect(configError(() => loadConfig({ TEMPORAL_CONFIG_FILE: file })).field).toBe('TEMPORAL_*');
      expect(configError(() => loadConfig({ ...isolated, TEMPORAL_PROFILE: 'nope' })).field).toBe('TEMPORAL_*');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NODE_ENV=production', () => {
  let stateDir: string;
  const logger = createLogger('silent');
  /** A production environment against a Temporal address nothing listens on: a refusal must come before any connection. */
  const production = () => ({ ...isolated, NODE_ENV: 'production', TEMPORAL_ADDRESS: '127.0.0.1:1', HALFLIFE_STATE_DIR: stateDir });

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-production-'));
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('is production only for exactly "production"', () => {
    expect(loadConfig({ ...isolated, NODE_ENV: 'production' }).production).toBe(true);
    expect(loadConfig({ ...isolated, NODE_ENV: 'prod' }).production).toBe(false);
  });

  it('refuses to run without HALFLIFE_ENCRYPTION_KEYS, and creates no development key', async () => {
    const config = loadConfig(production());
    expect(configError(() => keyringOf(config)).field).toBe('HALFLIFE_ENCRYPTION_KEYS');
    await expect(startService(config, logger, { api: false, handleSignals: false })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      field: 'HALFLIFE_ENCRYPTION_KEYS',
    });
    expect(fs.readdirSync(stateDir)).toEqual([]);
  });

  it('refuses to run the API without HALFLIFE_API_KEYS, and creates no development key', async () => {
    const config = loadConfig({ ...production(), HALFLIFE_ENCRYPTION_KEYS: generateKey('p1') });
    await expect(startService(config, logger, { worker: false, handleSignals: false })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      field: 'HALFLIFE_API_KEYS',
    });
    expect(fs.readdirSync(stateDir)).toEqual([]);
  });

  it('refuses a malformed HALFLIFE_API_KEYS before connecting, naming it', async () => {
    const config = loadConfig({ ...production(), HALFLIFE_ENCRYPTION_KEYS: generateKey('p1'), HALFLIFE_API_KEYS: '{not json' });
    await expect(startService(config, logger, { worker: false, handleSignals: false })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      field: 'HALFLIFE_API_KEYS',
    });
  });
});
