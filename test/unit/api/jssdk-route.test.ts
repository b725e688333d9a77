/**
 * `POST /v1/credentials/{id}/jssdk-signature`: signs with the current ticket (read scope, like the
 * ticket itself), the fragment dropped, a ticket with a minute to live asked for; a bad URL is a
 * 422 on `url`, a credential that is no JS-SDK ticket a 400 on `id`; the OpenAPI document lists it.
 */
import { jssdkSignature } from '../../../src/jssdk/signature';
import { openApiDocument } from '../../../src/api/openapi';
import { bearer, testKeys, testServer } from './fake-token-client';

const route = (id: string) => `/v1/credentials/${id}/jssdk-signature`;

async function setup() {
  const { app, client } = testServer();
  await client.register({ id: 'team-a.jsapi', provider: 'wechat_jsapi_ticket', parent: 'team-a.wx', config: {} });
  await client.register({ id: 'team-a.card', provider: 'wechat_card_ticket', parent: 'team-a.wx', config: {} });
  await client.register({ id: 'team-a.plain', provider: 'wecom', config: { corpid: 'corp' } });
  const ticket = (id: string, ticketType: string) => {
    const c = client.credentials.get(id)!;
    c.token = { ...c.token, accessToken: `ticket-of-${id}`, tokenType: 'Ticket', metadata: { appId: 'wx0123456789abcdef', ticketType } };
  };
  ticket('team-a.jsapi', 'jsapi');
  ticket('team-a.card', 'wx_card');
  return { app, client };
}

describe('POST /v1/credentials/{id}/jssdk-signature', () => {
  it('signs the page with the current ticket, without its fragment', async () => {
    const { app, client } = await setup();
    const before = Math.floor(Date.now() / 1000);
    const res = await app.inject({ method: 'POST', url: route('team-a.jsapi'), headers: bearer(testKeys.readTeamA), payload: { url: 'https://shop.example.com/a?b=1#/c' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ app_id: string; timestamp: number; nonce_str: string; signature: string; url: string; expires_at: string }>();
    expect(body).toMatchObject({ app_id: 'wx0123456789abcdef', url: 'https://shop.example.com/a?b=1', expires_at: expect.any(String) });
    expect(body.timestamp).toBeGreaterThanOrEqual(before);
    expect(body.signature).toBe(jssdkSignature({ ticket: 'ticket-of-team-a.jsapi', nonceStr: body.nonce_str, timestamp: body.timestamp, url: body.url }));
    expect(JSON.stringify(body)).not.toContain('ticket-of-');
    expect(client.calls.find((c) => c.method === 'getToken')?.args).toEqual(['team-a.jsapi', { minTtlMs: 60_000 }]);
  });

  it('refuses a bad URL (422 on url) and a credential that is no JS-SDK ticket (400 on id)', async () => {
    const { app } = await setup();
    const post = (id: string, payload: unknown) => app.inject({ method: 'POST', url: route(id), headers: bearer(testKeys.readTeamA), payload: payload as never });
    for (const [payload, reason] of [
      [{}, 'is required'],
      [{ url: 42 }, 'must be a string'],
      [{ url: '/relative' }, 'must be an absolute http or https URL'],
      [{ url: 'https://a.example.com/x y' }, 'must not contain spaces or control characters'],
    ] as const) {
      const res = await post('team-a.jsapi', payload);
      expect({ status: res.statusCode, error: res.json().error }).toMatchObject({ status: 422, error: { code: 'invalid_config', field: 'url', message: expect.stringContaining(reason) } });
    }
    expect((await post('team-a.jsapi', { url: 'https://a.example.com/', extra: 1 })).json().error).toMatchObject({ field: 'extra' });
    for (const id of ['team-a.card', 'team-a.plain']) {
      const res = await post(id, { url: 'https://a.example.com/' });
      expect({ status: res.statusCode, error: res.json().error }).toMatchObject({ status: 400, error: { code: 'invalid_request', field: 'id' } });
    }
    expect((await post('team-a.nothing', { url: 'https://a.example.com/' })).statusCode).toBe(404);
  });

  it('needs a key with the read scope over the credential', async () => {
    const { app } = await setup();
    const payload = { url: 'https://a.example.com/' };
    expect((await app.inject({ method: 'POST', url: route('team-a.jsapi'), payload })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: route('team-a.jsapi'), headers: bearer(testKeys.adminTeamB), payload })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: route('team-a.jsapi'), headers: bearer(testKeys.refreshTeamA), payload })).statusCode).toBe(200);
  });

  it('is in the OpenAPI document, with its scope and schemas', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { 'x-halflife-scope'?: string }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.paths['/v1/credentials/{id}/jssdk-signature']?.post?.['x-halflife-scope']).toBe('read');
    expect(doc.components.schemas).toHaveProperty('JssdkSignatureBody');
    expect(doc.components.schemas).toHaveProperty('JssdkSignature');
    expect(doc.components.schemas).toHaveProperty('WechatJsapiTicketCredential');
  });
});
