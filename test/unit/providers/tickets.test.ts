/**
 * The derived ticket providers against the WeChat and WeCom fakes over real HTTP: one GET with the
 * parent's token at the parent's base URL, the ticket and its metadata, and the fakes' own rules
 * (a new ticket retires the old one after the overlap; daily and hourly quotas answer 45009).
 */
import { createHash } from 'node:crypto';
import { startFakeWechatServer, type FakeWechatServer } from '../../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../../src/fakes/wecom-server';
import { parseRegistration } from '../../../src/client/registration';
import { registrationFingerprints } from '../../../src/client/fingerprint';
import { credentialBodySchema, toRegisterInput } from '../../../src/api/schemas';
import { context, countingFetch, manualClock, providerFailure, refreshWith } from './kit';
import { wechatTicketTarget, wecomTicketTarget } from './ticket-targets';

describe('WeChat tickets', () => {
  let fake: FakeWechatServer;
  const clock = manualClock(Date.now());
  beforeAll(async () => {
    fake = await startFakeWechatServer({ now: clock.now, tickets: { overlapMs: 10_000, quotas: [{ per: 'owner', max: 3, windowMs: 86_400_000 }] } });
  });
  afterAll(() => fake.close());

  it.each([
    ['wechat_jsapi_ticket', 'jsapi'],
    ['wechat_card_ticket', 'wx_card'],
  ] as const)('%s: one GET to getticket?type=%s with the parent token; the ticket with its AppID', async (provider, type) => {
    const target = wechatTicketTarget(provider, fake);
    const ctx = await target.context!();
    const upstream = countingFetch();
    const sentAt = clock.now();
    const result = await refreshWith(provider, {}, {}, context({ ...ctx, now: clock.now, fetch: upstream.fetch }));
    expect(upstream.urls).toHaveLength(1);
    const url = upstream.urls[0]!;
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/cgi-bin/ticket/getticket`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ access_token: ctx.parent!.accessToken, type });
    expect(result.token).toEqual({
      accessToken: fake.tickets.currentTicket(target.parent.owner, type),
      tokenType: 'Ticket',
      issuedAt: sentAt,
      expiresAt: sentAt + 7_200_000,
      metadata: { appId: target.parent.owner, ticketType: type },
    });
  });

  it('retires the previous ticket after the overlap, and answers 45009 past the daily quota', async () => {
    const target = wechatTicketTarget('wechat_jsapi_ticket', fake);
    const ctx = context({ ...(await target.context!()), now: clock.now });
    const first = (await refreshWith('wechat_jsapi_ticket', {}, {}, ctx)).token.accessToken;
    const second = (await refreshWith('wechat_jsapi_ticket', {}, {}, ctx)).token.accessToken;
    expect(second).not.toBe(first);
    expect(fake.tickets.isValidTicket(first)).toBe(true);
    clock.advance(10_000);
    expect(fake.tickets.isValidTicket(first)).toBe(false);
    expect(fake.tickets.isValidTicket(second)).toBe(true);
    await refreshWith('wechat_jsapi_ticket', {}, {}, ctx);
    const err = await providerFailure(refreshWith('wechat_jsapi_ticket', {}, {}, ctx));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'transient', code: 'errcode_45009' });
    expect(fake.tickets.issuedFor(target.parent.owner, 'jsapi')).toBe(3);
  });

  it("refuses a ticket for a superseded access token (40001) and marks it as the parent's", async () => {
    const target = wechatTicketTarget('wechat_jsapi_ticket', fake);
    const ctx = await target.context!();
    await fetch(`${fake.url}/cgi-bin/token?grant_type=client_credential&appid=${target.parent.owner}&secret=${String(target.parent.config.secret)}`);
    clock.advance(300_001); // past the old access token's overlap
    const err = await providerFailure(refreshWith('wechat_jsapi_ticket', {}, {}, context({ ...ctx, now: clock.now })));
    expect({ code: err.code, kind: err.kind, parentTokenRejected: err.parentTokenRejected }).toEqual({ code: 'errcode_40001', kind: 'transient', parentTokenRejected: true });
    expect(err.message).not.toContain(ctx.parent!.accessToken);
  });

  it('without a parent token: parent_missing, and no request', async () => {
    const upstream = countingFetch();
    const err = await providerFailure(refreshWith('wechat_jsapi_ticket', {}, {}, context({ fetch: upstream.fetch })));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'parent_missing' });
    expect(upstream.urls).toHaveLength(0);
  });
});

describe('WeCom tickets', () => {
  let fake: FakeWecomServer;
  beforeAll(async () => {
    fake = await startFakeWecomServer({ tickets: { quotas: [{ per: 'owner', max: 2, windowMs: 3_600_000 }, { per: 'group', max: 3, windowMs: 3_600_000 }] } });
  });
  afterAll(() => fake.close());

  it.each([
    ['corp', '/cgi-bin/get_jsapi_ticket', {}, 'corp'],
    ['agent', '/cgi-bin/ticket/get', { type: 'agent_config' }, 'agent_config'],
  ] as const)('%s ticket: one GET to %s; the corp ID (and AgentID) with it', async (type, path, query, fakeType) => {
    const target = wecomTicketTarget(fake, type);
    const ctx = await target.context!();
    const upstream = countingFetch();
    const result = await refreshWith('wecom_jsapi_ticket', target.config(), {}, context({ ...ctx, fetch: upstream.fetch }));
    const url = upstream.urls[0]!;
    expect(url.pathname).toBe(path);
    expect(Object.fromEntries(url.searchParams)).toEqual({ access_token: ctx.parent!.accessToken, ...query });
    expect(result.token.accessToken).toBe(fake.tickets.currentTicket(target.parent.owner, fakeType));
    expect(result.token.metadata).toEqual({ appId: target.parent.config.corpid, ticketType: type, ...(type === 'agent' ? { agentId: '1000002' } : {}) });
  });

  it('answers 45009 past the hourly quota of the application', async () => {
    const target = wecomTicketTarget(fake, 'corp');
    const ctx = context(await target.context!());
    await refreshWith('wecom_jsapi_ticket', target.config(), {}, ctx);
    await refreshWith('wecom_jsapi_ticket', target.config(), {}, ctx);
    const err = await providerFailure(refreshWith('wecom_jsapi_ticket', target.config(), {}, ctx));
    expect({ code: err.code, retryAfterMs: err.retryAfterMs }).toEqual({ code: 'errcode_45009', retryAfterMs: 300_000 });
  });

  it('refuses an unknown type at registration, naming the field', () => {
    expect(() => parseRegistration({ id: 'wc-t', provider: 'wecom_jsapi_ticket', parent: 'wc-main', config: { type: 'suite' } })).toThrow(
      expect.objectContaining({ name: 'InvalidConfigError', field: 'config.type', reason: 'must be corp or agent' }),
    );
  });
});

describe('registering a derived credential', () => {
  it('needs parent, and only derived providers take one', () => {
    expect(parseRegistration({ id: 'wx-t', provider: 'wechat_jsapi_ticket', parent: 'wx-main', config: {} })).toMatchObject({ parent: 'wx-main', config: {}, grant: {} });
    expect(() => parseRegistration({ id: 'wx-t', provider: 'wechat_jsapi_ticket', config: {} })).toThrow(
      expect.objectContaining({ field: 'parent', reason: 'is required by the wechat_jsapi_ticket provider: the id of its wechat credential' }),
    );
    expect(() => parseRegistration({ id: 'wx-main', provider: 'wechat', parent: 'other', config: { appid: 'wx1', secret: 'app-secret-1' } })).toThrow(
      expect.objectContaining({ field: 'parent', reason: 'is not used by the wechat provider' }),
    );
    expect(() => parseRegistration({ id: 'wx-t', provider: 'wechat_jsapi_ticket', parent: 'wx-t', config: {} })).toThrow(expect.objectContaining({ field: 'parent', reason: 'must name another credential' }));
    expect(() => parseRegistration({ id: 'wx-t', provider: 'wechat_jsapi_ticket', parent: '../x', config: {} })).toThrow(expect.objectContaining({ field: 'parent' }));
  });

  it('counts parent and configuration as the grant: another parent or type means a new ticket at once', () => {
    const of = (parent: string, type: string) => registrationFingerprints(parseRegistration({ id: 'wc-t', provider: 'wecom_jsapi_ticket', parent, config: { type } })).grantFingerprint;
    expect(of('wc-main', 'corp')).toBe(of('wc-main', 'corp'));
    expect(of('wc-main', 'agent')).not.toBe(of('wc-main', 'corp'));
    expect(of('wc-other', 'corp')).not.toBe(of('wc-main', 'corp'));
    // Without a parent, the digest of before parents existed: an identical PUT stays a no-op after the upgrade.
    const plain = parseRegistration({ id: 'wx', provider: 'wechat', config: { appid: 'wx1', secret: 'app-secret-1' } });
    expect(registrationFingerprints(plain).grantFingerprint).toBe(createHash('sha256').update('halflife:grant:').update('{}').digest('base64url'));
  });

  it('through the API body: `parent` beside the fields, refused for other providers', () => {
    const body = credentialBodySchema.parse({ provider: 'wecom_jsapi_ticket', parent: 'wc-main', type: 'agent', agentid: 1000002 });
    expect(toRegisterInput('wc-agent', body)).toEqual({ id: 'wc-agent', provider: 'wecom_jsapi_ticket', parent: 'wc-main', config: { type: 'agent', agentid: 1000002 } });
    expect(credentialBodySchema.safeParse({ provider: 'wechat_jsapi_ticket' }).success).toBe(false);
    expect(credentialBodySchema.safeParse({ provider: 'wechat', appid: 'wx1', secret: 'app-secret-1', parent: 'x' }).success).toBe(false);
  });
});
