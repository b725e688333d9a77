/**
 * A derived credential's access to its parent (src/activities/parent-token.ts) against a stand-in
 * of the worker's TokenClient: the parent's token (at least the version signalled), the
 * announcement to a parent that does not list the derived credential yet, and each failure as the
 * classified `ProviderError` the derived credential's status shows.
 */
import type { CredentialDescription, TokenView } from '../../../src/credential';
import { CredentialNotFoundError, ReauthRequiredError, UpstreamFailingError } from '../../../src/errors';
import { isParentTokenRejected, parentTokenFor, renewedParentToken, type ParentClient } from '../../../src/activities/parent-token';

const view = (version: number, accessToken = `at-${version}`): TokenView => ({ accessToken, tokenType: 'Bearer', expiresAt: Date.now() + 60_000, version, status: 'active' });

function standIn(options: { provider?: string; status?: string; dependents?: string[]; token?: TokenView; describe?: () => Promise<never>; getToken?: () => Promise<never>; refreshTo?: TokenView; hang?: boolean } = {}) {
  const signals: unknown[] = [];
  const refreshes: unknown[] = [];
  const hang = () => new Promise<never>(() => undefined);
  const client = {
    describe: options.describe ?? (async (id: string) => ({ id, provider: options.provider ?? 'wechat', status: options.status ?? 'active', settings: { appid: 'wx1', baseUrl: 'https://api.weixin.qq.com' }, ...(options.dependents ? { dependents: options.dependents } : {}) }) as unknown as CredentialDescription),
    getToken: options.getToken ?? (async () => (options.hang ? hang() : (options.token ?? view(3)))),
    refresh: async (id: string, o: unknown) => {
      refreshes.push([id, o]);
      return { token: options.refreshTo ?? options.token ?? view(3), refreshed: true };
    },
    temporal: { workflow: { getHandle: () => ({ signal: async (_def: unknown, arg: unknown) => void signals.push(arg) }) } },
  } as unknown as ParentClient;
  return { client, signals, refreshes };
}

const link = { id: 'wx-main' };

describe('parentTokenFor', () => {
  it("gives the parent's token and settings, and announces the derived credential once", async () => {
    const { client, signals } = standIn();
    expect(await parentTokenFor(client, 'wx-ticket', link, ['wechat'], 1000)).toEqual({ id: 'wx-main', provider: 'wechat', accessToken: 'at-3', version: 3, settings: { appid: 'wx1', baseUrl: 'https://api.weixin.qq.com' } });
    expect(signals).toEqual([{ id: 'wx-ticket', version: 3 }]);
    const listed = standIn({ dependents: ['wx-ticket'] });
    await parentTokenFor(listed.client, 'wx-ticket', link, ['wechat'], 1000);
    expect(listed.signals).toEqual([]);
  });

  it('asks for the version it was told of when the read is older (a cache behind)', async () => {
    const { client, refreshes } = standIn({ token: view(3), refreshTo: view(4) });
    expect((await parentTokenFor(client, 'wx-ticket', { id: 'wx-main', minVersion: 4 }, ['wechat'], 1000)).version).toBe(4);
    expect(refreshes).toEqual([['wx-main', { staleVersion: 3 }]]);
  });

  it.each([
    ['a missing parent', { describe: async () => Promise.reject(new CredentialNotFoundError('wx-main')) }, 'configuration', 'parent_revoked'],
    ['a revoked parent', { status: 'revoked' }, 'configuration', 'parent_revoked'],
    ['a parent of another kind', { provider: 'wecom' }, 'configuration', 'parent_mismatch'],
    ['a parent in reauth_required without a token', { getToken: async () => Promise.reject(new ReauthRequiredError('wx-main', 'errcode_40001: wrong AppSecret')) }, 'configuration', 'parent_reauth_required'],
    ['a failing parent', { getToken: async () => Promise.reject(new UpstreamFailingError('wx-main', 'http_503')) }, 'transient', 'parent_unavailable'],
    ['a parent that does not answer', { hang: true }, 'transient', 'parent_unavailable'],
  ] as const)('classifies %s', async (_what, options, kind, code) => {
    const { client } = standIn(options as never);
    await expect(parentTokenFor(client, 'wx-ticket', link, ['wechat'], 200)).rejects.toMatchObject({ name: 'ProviderError', kind, code, message: expect.stringContaining('wx-main') });
  });
});

describe('renewedParentToken', () => {
  const used = { id: 'wx-main', provider: 'wechat' as const, accessToken: 'at-3', version: 3, settings: {} };
  it("reports the refused token as a consumer would, and gives the parent's newer one", async () => {
    const { client, refreshes } = standIn({ refreshTo: view(4, 'at-4') });
    expect(await renewedParentToken(client, used, 1000)).toMatchObject({ accessToken: 'at-4', version: 4 });
    expect(refreshes).toEqual([['wx-main', { staleVersion: 3 }]]);
  });
  it('gives nothing when the parent declined (the same version came back)', async () => {
    const { client } = standIn({ refreshTo: view(3) });
    expect(await renewedParentToken(client, used, 1000)).toBeUndefined();
  });
  it('knows which failures are about the parent token', () => {
    expect(isParentTokenRejected(Object.assign(new Error('x'), { name: 'ProviderError', parentTokenRejected: true }))).toBe(true);
    expect(isParentTokenRejected(Object.assign(new Error('x'), { name: 'ProviderError' }))).toBe(false);
  });
});
