/** `GET /v1/presets` and `halflife presets`: every preset with the facts a user needs, the same shapes in both. */
import { main } from '../../../src/cli/main';
import { presetLines, presetTable } from '../../../src/cli/presets-command';
import { presetByName, presetNames } from '../../../src/providers/presets';
import { bearer, testKeys, testServer } from './fake-token-client';

/** Runs the CLI, capturing what it writes. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const code = await main(['node', 'halflife', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('GET /v1/presets', () => {
  it('lists every preset for a read key: endpoints with body field placeholders, rotation, lifetimes in seconds, sources', async () => {
    const { app } = testServer();
    const res = await app.inject({ method: 'GET', url: '/v1/presets', headers: bearer(testKeys.readTeamA) });
    expect(res.statusCode).toBe(200);
    const { presets } = res.json() as { presets: Record<string, unknown>[] };
    expect(presets.map((p) => p.name)).toEqual(presetNames);
    const trakt = presets.find((p) => p.name === 'trakt');
    expect(trakt).toMatchObject({
      provider: 'oauth2',
      token_endpoint: 'https://auth.trakt.tv/oauth/token',
      client_auth: 'client_secret_post',
      refresh_tokens: { issued: 'always', rotates: 'always' },
      access_token_lifetime_s: 86_400,
      expires_in_missing: false,
      documentation: expect.stringMatching(/^https:\/\//),
    });
    const okta = presets.find((p) => p.name === 'okta');
    expect(okta).toMatchObject({ token_endpoint: 'https://{domain}/oauth2/{auth_server}/v1/token', refresh_tokens: { reuse_grace_s: 30 } });
    expect(okta?.placeholders).toEqual([expect.objectContaining({ field: 'domain' }), expect.objectContaining({ field: 'auth_server', example: 'default' })]);
    expect(presets.find((p) => p.name === 'github')).toMatchObject({ refresh_tokens: { absolute_lifetime_s: 15_811_200 } });
    for (const p of presets) for (const source of p.sources as string[]) expect(source).toMatch(/^https:\/\//);
  });

  it('needs a key', async () => {
    const { app } = testServer();
    expect((await app.inject({ method: 'GET', url: '/v1/presets' })).statusCode).toBe(401);
  });

  it('is in the OpenAPI document with the read scope', async () => {
    const { app } = testServer();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/presets'].get).toMatchObject({ 'x-halflife-scope': 'read', responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/PresetList' } } } } } });
    expect(doc.components.schemas.PresetList.properties.presets.items.required).toEqual(expect.arrayContaining(['name', 'provider', 'refresh_tokens', 'sources']));
  });
});

describe('halflife presets', () => {
  it('prints a table with one row per preset; --json prints the API answer', async () => {
    const table = presetTable();
    expect(table[0]).toMatch(/^NAME\s+TOKEN ENDPOINT\s+ROTATES\s+GRACE\s+ACCESS TOKEN\s+REFRESH TOKEN$/);
    expect(table).toHaveLength(presetNames.length + 1);
    expect(table.find((line) => line.startsWith('salesforce'))).toMatch(/https:\/\/\{login_host\}\/services\/oauth2\/token .*2h \(no expires_in\)/);

    const text = await cli('presets');
    expect(text.code).toBe(0);
    expect(text.out).toBe(`${table.join('\n')}\n`);

    const json = await cli('--json', 'presets');
    const { app } = testServer();
    const api = (await app.inject({ method: 'GET', url: '/v1/presets', headers: bearer(testKeys.readAll) })).json();
    expect(JSON.parse(json.out)).toEqual(api);
  });

  it('shows one preset in full; an unknown name exits 2 naming preset', async () => {
    const lines = presetLines(presetByName('microsoft')!);
    expect(lines.join('\n')).toMatch(/tenant\s+directory \(tenant\) ID/);
    expect(lines.join('\n')).toMatch(/source\s+https:\/\/learn\.microsoft\.com/);
    const one = await cli('presets', 'microsoft');
    expect(one.out).toBe(`${lines.join('\n')}\n`);
    const unknown = await cli('--json', 'presets', 'nope');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.err).error).toMatchObject({ code: 'invalid_config', field: 'preset' });
  });
});
