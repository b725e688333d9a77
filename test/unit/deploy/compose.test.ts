/**
 * docker-compose.yml, parsed (no Docker engine here; `.ci/run` also runs `docker compose config`):
 * Temporal on PostgreSQL, the Web UI decoding through Halflife's codec endpoint (via the proxy that
 * adds the codec key), Redis, the worker and the API built from the Dockerfile, pinned images,
 * health checks, a stop grace period longer than the worker's drain, ports on loopback only, and
 * the Halflife services' environment accepted by the service's own configuration schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadApiKeys } from '../../../src/api/keys';
import { loadConfig } from '../../../src/config';
import { devServerDynamicConfig } from '../../../src/dev/dev-server';
import { withDefaults } from '../../../src/worker';

// js-yaml comes with jest (through istanbul); no YAML parser is a dependency of Halflife itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
}

const root = path.join(__dirname, '..', '..', '..');
const compose = yaml.load(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** The service's environment with `${VAR:?…}` filled in as a user would (and `$$` unescaped). */
function environment(name: string): Record<string, string> {
  const values: Record<string, string> = { HALFLIFE_ENCRYPTION_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', HALFLIFE_ADMIN_KEY: 'a'.repeat(48), HALFLIFE_CODEC_KEY: 'c'.repeat(48) };
  return Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [
      key,
      String(value).replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_all, variable: string) => values[variable] ?? '').replace(/\$\$/g, '$'),
    ]),
  );
}

/** Services that run once and exit (something depends on their successful completion). */
const oneShot = new Set(Object.values(services).flatMap((s) => Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === 'service_completed_successfully').map(([n]) => n)));

/** Seconds of a compose duration such as `60s` or `1m30s`. */
function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL, the Web UI, Redis, and Halflife\'s worker and API from the Dockerfile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'redis', 'worker', 'api']));
    expect(service('temporal').environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(service('temporal').depends_on).toHaveProperty('temporal-schema');
    for (const name of ['worker', 'api']) {
      expect(service(name).build).toBe('.');
      expect(service(name).depends_on).toMatchObject({ 'temporal-namespace': { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    }
    expect(service('worker').command).toEqual(['node', 'dist/cli/main.js', 'worker']);
    expect(service('api').command).toEqual(['node', 'dist/cli/main.js', 'api']);
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('gives Temporal the dev server\'s dynamic config (eager activity dispatch)', () => {
    const env = service('temporal').environment as Record<string, string>;
    const mount = service('temporal').volumes?.find((v) => v.includes('/etc/temporal/config/dynamicconfig'));
    expect(mount).toBeDefined();
    const file = path.join(root, mount!.split(':')[0]!, path.basename(env.DYNAMIC_CONFIG_FILE_PATH!));
    const config = yaml.load(fs.readFileSync(file, 'utf8')) as Record<string, { value: unknown }[]>;
    const fromDevServer = Object.fromEntries(devServerDynamicConfig.map((kv) => [kv.slice(0, kv.indexOf('=')), JSON.parse(kv.slice(kv.indexOf('=') + 1)) as unknown]));
    expect(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v[0]!.value]))).toEqual(fromDevServer);
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:\d[\w.-]*$/) });
    }
  });

  it('points the Web UI at the codec endpoint through the proxy that adds the codec key, and allows the UI\'s origin', () => {
    const endpoint = new URL(environment('temporal-ui').TEMPORAL_CODEC_ENDPOINT!);
    expect(endpoint.pathname).toBe('/codec');
    const proxy = service('codec-proxy');
    expect(proxy.ports).toContain(`127.0.0.1:${endpoint.port}:${endpoint.port}`);
    const template = proxy.volumes?.find((v) => v.includes('/etc/nginx/templates/'))?.split(':')[0];
    const conf = fs.readFileSync(path.join(root, template!), 'utf8');
    expect(conf).toContain(`listen ${endpoint.port};`);
    expect(conf).toMatch(/location \/codec\/ \{\s+proxy_pass http:\/\/api:7380\/codec\/;\s+proxy_set_header Authorization "Bearer \$\{HALFLIFE_CODEC_KEY\}";/);
    const ui = service('temporal-ui').ports!.map((p) => p.split(':')[1]);
    const config = loadConfig({ ...environment('api'), TEMPORAL_CONFIG_FILE: '/nonexistent/halflife-profile.toml' });
    expect(config.uiOrigins).toEqual(expect.arrayContaining(ui.map((port) => `http://localhost:${port}`)));
    // The key the proxy sends is one the API accepts, with read over every credential (what the codec endpoint needs).
    const { keys } = loadApiKeys({ json: config.apiKeysJson, production: true, stateDir: '/nonexistent' });
    const codecKey = keys.authenticate(`Bearer ${environment('codec-proxy').HALFLIFE_CODEC_KEY!}`);
    expect(codecKey && keys.allowsAll(codecKey, 'read')).toBe(true);
  });

  it('gives the worker longer to stop than it drains, and serves its metrics', () => {
    const drainS = withDefaults({ connection: undefined as never }).shutdownGraceTimeMs / 1000;
    expect(seconds(service('worker').stop_grace_period!)).toBeGreaterThanOrEqual(drainS + 10);
    const env = environment('worker');
    expect(service('worker').expose).toContain(env.HALFLIFE_WORKER_METRICS_PORT);
    expect(loadConfig({ ...env, TEMPORAL_CONFIG_FILE: '/nonexistent/halflife-profile.toml' }).workerMetrics).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('checks the health of every long-running service', () => {
    for (const [name, s] of Object.entries(services)) {
      if (oneShot.has(name) || name === 'temporal-ui') continue; // the UI image has no shell tool to probe with
      expect({ name, healthcheck: Boolean(s.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
    }
  });

  it('publishes ports on loopback only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
    }
  });
});
