/**
 * `POST /v1/push/{id}` and `GET /v1/push/{id}`: a push sealed by the fake platform's own code
 * (src/fakes/push-sealer.ts) is opened and its ticket delivered; a bad signature, another
 * receiver, a forged key, a credential that receives no pushes and a malformed body are refused
 * with 400 `push_rejected` naming the reason, and nothing is delivered; no key or ticket shows in
 * an answer or a log line.
 */
import { Writable } from 'node:stream';
import { randomEncodingAesKey, sealPush } from '../../../src/fakes/push-sealer';
import { createLogger } from '../../../src/logger';
import type { PushClient } from '../../../src/platform/push-client';
import { pushKeysOf, type PushKeys } from '../../../src/platform/push-kinds';
import { testServer } from './fake-token-client';

const appid = 'wx1234567890abcdef';
const keys = { token: 'callbackTokenXyz', encodingAesKey: randomEncodingAesKey() };
const config = { componentAppid: appid, callbackToken: keys.token, encodingAesKey: keys.encodingAesKey };

function setup() {
  const delivered: { id: string; ticket: string }[] = [];
  const lines: string[] = [];
  const push: PushClient = {
    pushKeys: async (id): Promise<PushKeys | null> => (id === 'comp' ? pushKeysOf('wechat_component', config) : id === 'plain' ? null : Promise.reject(Object.assign(new Error('x'), { name: 'CredentialNotFoundError' }))),
    deliverTicket: async (id, ticket) => void delivered.push({ id, ticket }),
  };
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const { app } = testServer({ push, logger: createLogger('info', sink) });
  return { app, delivered, lines };
}

const ticketXml = (ticket: string) => `<xml><AppId><![CDATA[${appid}]]></AppId><CreateTime>1764590400</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;

function post(app: ReturnType<typeof setup>['app'], id: string, sealed: ReturnType<typeof sealPush>, body = sealed.body) {
  const query = new URLSearchParams({ ...sealed.query, signature: 'ignored', encrypt_type: 'aes' });
  return app.inject({ method: 'POST', url: `/v1/push/${id}?${query}`, headers: { 'content-type': 'text/xml' }, payload: body });
}

describe('POST /v1/push/{id}', () => {
  it('opens the push and delivers its ticket, answering success', async () => {
    const { app, delivered, lines } = setup();
    const res = await post(app, 'comp', sealPush({ ...keys, receiveId: appid }, ticketXml('ticket@@@one')));
    expect({ status: res.statusCode, body: res.body, type: res.headers['content-type'] }).toEqual({ status: 200, body: 'success', type: 'text/plain; charset=utf-8' });
    expect(delivered).toEqual([{ id: 'comp', ticket: 'ticket@@@one' }]);
    expect(lines.join('')).toContain('pushed ticket stored');
    expect(lines.join('')).not.toContain('ticket@@@one');
  });

  it('answers success without storing anything for a verified message that is not a ticket', async () => {
    const { app, delivered } = setup();
    const xml = `<xml><AppId><![CDATA[${appid}]]></AppId><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wxaaaa]]></AuthorizerAppid></xml>`;
    const res = await post(app, 'comp', sealPush({ ...keys, receiveId: appid }, xml));
    expect({ status: res.statusCode, body: res.body }).toEqual({ status: 200, body: 'success' });
    expect(delivered).toEqual([]);
  });

  it.each([
    ['a wrong signature (another callback token)', () => sealPush({ ...keys, token: 'someoneElse', receiveId: appid }, ticketXml('t1')), 'bad_signature'],
    ['another receiver (the wrong AppID)', () => sealPush({ ...keys, receiveId: 'wx0000000000000000' }, ticketXml('t1')), 'receiver_mismatch'],
    ['another EncodingAESKey, signed right', () => sealPush({ ...keys, encodingAesKey: randomEncodingAesKey(), receiveId: appid }, ticketXml('t1')), 'undecryptable'],
  ])('refuses %s: 400 push_rejected naming the reason, nothing stored', async (_what, seal, reason) => {
    const { app, delivered, lines } = setup();
    const res = await post(app, 'comp', seal());
    expect({ status: res.statusCode, error: res.json().error }).toMatchObject({ status: 400, error: { code: 'push_rejected', message: expect.stringContaining(`(${reason})`) } });
    expect(delivered).toEqual([]);
    for (const text of [res.body, lines.join('')]) {
      expect(text).not.toContain(keys.encodingAesKey);
      expect(text).not.toContain(keys.token);
    }
  });

  it('refuses a tampered ciphertext, a body without Encrypt, missing query parts and ids without a push credential', async () => {
    const { app, delivered } = setup();
    const sealed = sealPush({ ...keys, receiveId: appid }, ticketXml('t1'));
    const flipped = sealed.body.replace(sealed.encrypt, `${sealed.encrypt.slice(0, 10)}${sealed.encrypt[10] === 'A' ? 'B' : 'A'}${sealed.encrypt.slice(11)}`);
    expect((await post(app, 'comp', sealed, flipped)).json().error.message).toContain('(bad_signature)');
    expect((await post(app, 'comp', sealed, '<xml><ToUserName>x</ToUserName></xml>')).json().error.message).toContain('(malformed)');
    const noNonce = await app.inject({ method: 'POST', url: `/v1/push/comp?msg_signature=a&timestamp=1`, headers: { 'content-type': 'text/xml' }, payload: sealed.body });
    expect({ status: noNonce.statusCode, error: noNonce.json().error }).toMatchObject({ status: 400, error: { code: 'invalid_request', field: 'nonce' } });
    for (const id of ['plain', 'nothing-here']) {
      const res = await post(app, id, sealed);
      expect({ status: res.statusCode, message: res.json().error.message }).toEqual({ status: 400, message: expect.stringContaining('(not_a_push_credential)') });
    }
    expect(delivered).toEqual([]);
  });
});

describe('GET /v1/push/{id} (URL verification)', () => {
  it('answers the decrypted echostr when the signature holds, refuses it otherwise', async () => {
    const { app } = setup();
    const sealed = sealPush({ ...keys, receiveId: appid }, '8842365307563465');
    const url = (q: Record<string, string>) => `/v1/push/comp?${new URLSearchParams(q)}`;
    const ok = await app.inject({ method: 'GET', url: url({ ...sealed.query, echostr: sealed.encrypt }) });
    expect({ status: ok.statusCode, body: ok.body }).toEqual({ status: 200, body: '8842365307563465' });
    const bad = await app.inject({ method: 'GET', url: url({ ...sealed.query, nonce: '1', echostr: sealed.encrypt }) });
    expect({ status: bad.statusCode, code: bad.json().error.code }).toEqual({ status: 400, code: 'push_rejected' });
  });
});
