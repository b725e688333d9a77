/**
 * Every row of the classification table (WeChat rows in both `/cgi-bin/token` and stable mode),
 * provoked against the provider's fake server over real HTTP: the provider must report the kind,
 * code and delay the documentation promises (the literal expectations of
 * test/helpers/classification-expectations.ts, not the implementation's own rows), and no secret.
 * Also checks that docs/providers.md embeds exactly the table of every provider.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProviderName } from '../../../src/credential';
import { classificationMarkdown, classificationRows } from '../../../src/providers/catalog';
import { rowDelayMs, type ClassificationRow } from '../../../src/providers/classification';
import { expectedRows, type ExpectedRow } from '../../helpers/classification-expectations';
import { providerNames } from '../../../src/providers/registry';
import { context, deadUrl, expectNoSecrets, providerFailure, refreshWith, until } from './kit';
import { startFakes, targetFor, type Fakes, type Target } from './targets';

/** 23:30 in China (15:30 UTC): the next UTC+8 midnight is 30 minutes away. */
const pinnedNow = Date.UTC(2026, 2, 1, 15, 30, 0);

/** The delay a row's failure must report at `pinnedNow`, from the literal expectation. */
function documentedDelayMs(expected: ExpectedRow): number | undefined {
  if (expected.retry.kind === 'midnight') return 30 * 60_000 + 2 * 60_000;
  if (expected.retry.kind === 'after' && expected.match.startsWith('errcode=')) return expected.retry.ms;
  return undefined;
}

interface Scenario {
  /** Prepares the fake; may return config overrides. */
  setup(target: Target): Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  code: string;
  retryAfterMs?: number;
  grant?: { refreshToken?: string };
  signal?: AbortSignal;
  /** Runs once the call is under way (e.g. cancel it). */
  during?(target: Target, callsBefore: number): Promise<void>;
}

function scenarioFor(row: ClassificationRow): Scenario {
  const m = row.match;
  const controller = new AbortController();
  if (m === 'grant without refresh token' || m === 'no ticket yet') return { setup: () => undefined, code: row.code, grant: {} };
  if (m.startsWith('error=')) {
    const error = m === 'error=<other>' ? 'access_denied' : m.slice('error='.length);
    return { setup: (t) => t.oauthError?.(error), code: m === 'error=<other>' ? 'access_denied' : row.code };
  }
  if (m.startsWith('errcode=')) {
    const n = m === 'errcode=<other>' ? 99_999 : Number(m.slice('errcode='.length));
    return { setup: (t) => t.errcode?.(n), code: `errcode_${n}` };
  }
  switch (m) {
    case 'HTTP 408':
      return { setup: (t) => t.http(408), code: 'http_408' };
    case 'HTTP 429':
      return { setup: (t) => t.http(429, '7'), code: 'http_429', retryAfterMs: 7_000 };
    case 'HTTP 5xx':
      return { setup: (t) => t.http(503, new Date(pinnedNow + 120_000).toUTCString()), code: 'http_503', retryAfterMs: 120_000 };
    case 'other HTTP status':
      return { setup: (t) => t.http(t.otherStatus ?? 404), code: `http_${row.provider === 'github_app' ? 409 : 404}` };
    case 'HTTP 401':
    case 'HTTP 403':
    case 'HTTP 404':
    case 'HTTP 422':
      return { setup: (t) => t.http(Number(m.slice('HTTP '.length))), code: row.code };
    case 'HTTP 403, rate limited':
      return { setup: (t) => t.rateLimit?.(pinnedNow / 1000 + 90), code: row.code, retryAfterMs: 90_000 };
    case 'missing token':
      return { setup: (t) => t.raw(t.bodies.missingAccessToken), code: row.code };
    case 'invalid expires_at':
      return { setup: (t) => t.raw(t.bodies.invalidExpiresIn), code: row.code };
    case 'network error':
      return { setup: async (t) => t.endpointOverride(await deadUrl()), code: row.code };
    case 'timeout':
      return { setup: (t) => t.hang(), code: row.code, signal: AbortSignal.timeout(300) };
    case 'cancelled':
      return {
        setup: (t) => t.hang(),
        code: row.code,
        signal: controller.signal,
        during: async (t, before) => {
          await until(() => t.calls() > before);
          controller.abort();
        },
      };
    case 'non-JSON body':
      return { setup: (t) => t.raw('<html><body>maintenance</body></html>', 200, 'text/html'), code: row.code };
    case 'body over 64 KiB':
      return { setup: (t) => t.raw(JSON.stringify({ access_token: 'x', padding: 'p'.repeat(70_000) })), code: row.code };
    case 'missing access_token':
    case 'missing ticket':
      return { setup: (t) => t.raw(t.bodies.missingAccessToken), code: row.code };
    case 'invalid expires_in':
      return { setup: (t) => t.raw(t.bodies.invalidExpiresIn), code: row.code };
    case 'no token endpoint':
      return { setup: () => ({ tokenEndpoint: undefined, issuer: 'https://issuer.example.com/oauth2/default' }), code: row.code };
    case 'missing or unsupported token_type':
      return { setup: (t) => t.raw(t.bodies.missingTokenType ?? ''), code: row.code };
    default:
      throw new Error(`no scenario for classification row "${m}": add one to this test`);
  }
}

describe('classification table', () => {
  let fakes: Fakes;
  beforeAll(async () => {
    fakes = await startFakes();
  });
  afterAll(async () => {
    await fakes.close();
  });

  const cases = classificationRows.map((row) => [row.provider, row.match, row] as const);
  test.each(cases)('%s: %s', async (_provider, _match, row) => {
    const expected = expectedRows.find((r) => r.provider === row.provider && r.match === row.match);
    if (!expected) throw new Error(`no documented expectation for ${row.provider} ${row.match}`);
    for (const stable of row.provider === 'wechat' || row.provider === 'wecom_jsapi_ticket' ? [false, true] : [false]) {
      const scenario = scenarioFor(row);
      const target = targetFor(row.provider, fakes, { stable });
      await target.context?.(); // a derived provider's parent token first: injected errmsgs echo it
      const overrides = (await scenario.setup(target)) ?? {};
      const parent = await target.context?.(overrides);
      const before = target.calls();
      const ctx = context({ now: () => pinnedNow, ...parent, ...(scenario.signal ? { signal: scenario.signal } : {}) });
      const call = refreshWith(row.provider, target.config(overrides), scenario.grant ?? target.grant(), ctx);
      await scenario.during?.(target, before);
      const err = await providerFailure(call);
      expect({ kind: err.kind, code: err.code, retryAfterMs: err.retryAfterMs }).toEqual({
        kind: expected.kind,
        code: expected.code,
        retryAfterMs: scenario.retryAfterMs ?? documentedDelayMs(expected),
      });
      expectNoSecrets(err, target.secrets);
      for (const pattern of target.secretPatterns ?? []) expect(err.message).not.toMatch(pattern);
    }
  });

  test('the 45009 delay runs to the next midnight in China time, plus the margin', () => {
    const row = classificationRows.find((r) => r.provider === 'wechat' && r.match === 'errcode=45009');
    expect(row && rowDelayMs(row, pinnedNow)).toBe(30 * 60_000 + 120_000);
    // 00:10 China time (16:10 UTC the day before): almost a whole day.
    expect(row && rowDelayMs(row, Date.UTC(2026, 2, 1, 16, 10))).toBe(23 * 3_600_000 + 50 * 60_000 + 120_000);
  });
});

describe('docs/providers.md', () => {
  const docs = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'providers.md'), 'utf8');

  test.each(providerNames.map((name) => [name] as [ProviderName]))('embeds the exact classification table of %s', (name) => {
    const start = `<!-- classification:${name} -->`;
    const end = `<!-- /classification:${name} -->`;
    const from = docs.indexOf(start);
    const to = docs.indexOf(end);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    expect(docs.slice(from + start.length, to).trim()).toBe(classificationMarkdown(name));
  });

  test('lists every row', () => {
    for (const row of classificationRows) expect(docs).toContain(`| \`${row.match}\` | ${row.kind} | \`${row.code}\` |`);
  });
});
