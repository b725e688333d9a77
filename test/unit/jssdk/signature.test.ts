/**
 * The JS-SDK signature against WeChat's documented example (JS-SDK documentation, appendix 1:
 * the ticket, nonce, timestamp and URL below sign to 0f9de62f…27ed), the fragment rule, the URL
 * checks, and signing with a ticket credential's token.
 */
import { createHash } from 'node:crypto';
import { isSigningTicket, jssdkSignature, newNonceStr, signedUrl, signJssdkConfig } from '../../../src/jssdk/signature';
import type { TokenView } from '../../../src/credential';

const documented = {
  ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  nonceStr: 'Wm3WZYTPz0wzccnW',
  timestamp: 1414587457,
  url: 'http://mp.weixin.qq.com?params=value',
};

const ticket = (metadata: Record<string, string> | undefined, expiresAt = Date.now() + 3_600_000): TokenView => ({
  accessToken: documented.ticket,
  tokenType: 'Ticket',
  expiresAt,
  version: 3,
  status: 'active',
  ...(metadata ? { metadata } : {}),
});

describe('jssdkSignature', () => {
  it("reproduces WeChat's documented example", () => {
    expect(jssdkSignature(documented)).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('signs the URL without its fragment, and otherwise exactly as given (no normalisation)', () => {
    expect(jssdkSignature({ ...documented, url: `${documented.url}#/deep/link?x=1` })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
    const page = 'https://example.com/a/../b?q=%E4%B8%AD&z=1';
    const expected = createHash('sha1').update(`jsapi_ticket=${documented.ticket}&noncestr=n&timestamp=1&url=${page}`).digest('hex');
    expect(jssdkSignature({ ticket: documented.ticket, nonceStr: 'n', timestamp: 1, url: `${page}#top` })).toBe(expected);
  });

  it.each([
    ['empty', '', 'is required'],
    ['relative', '/relative/page', 'must be an absolute http or https URL'],
    ['ftp', 'ftp://example.com/', 'must be an absolute http or https URL'],
    ['javascript:', 'javascript:alert(1)', 'must be an absolute http or https URL'],
    ['with a space', 'https://example.com/a b', 'must not contain spaces or control characters'],
    ['with a newline', 'https://example.com/\n', 'must not contain spaces or control characters'],
    ['over 4096 characters', `https://example.com/${'x'.repeat(4100)}`, 'must be at most 4096 characters'],
  ])('refuses a page URL %s', (_label, url, reason) => {
    expect(() => signedUrl(url)).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'url', reason }));
  });
});

describe('signJssdkConfig', () => {
  it("signs with the ticket credential's token: its AppID, the instant in seconds, a fresh nonce", () => {
    const config = signJssdkConfig(ticket({ appId: 'wx0123456789abcdef', ticketType: 'jsapi' }), documented.url, { now: documented.timestamp * 1000 + 999, nonceStr: documented.nonceStr });
    expect(config).toEqual({ appId: 'wx0123456789abcdef', timestamp: documented.timestamp, nonceStr: documented.nonceStr, signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed' });
    const a = signJssdkConfig(ticket({ appId: 'wx1', ticketType: 'jsapi' }), documented.url);
    const b = signJssdkConfig(ticket({ appId: 'wx1', ticketType: 'jsapi' }), documented.url);
    expect(a.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(a.nonceStr).not.toBe(b.nonceStr);
    expect(newNonceStr()).toHaveLength(16);
  });

  it('hands back the AgentID of a WeCom agent ticket', () => {
    expect(signJssdkConfig(ticket({ appId: 'ww01', ticketType: 'agent', agentId: '1000002' }), documented.url)).toMatchObject({ appId: 'ww01', agentId: '1000002' });
  });

  it('refuses a card ticket, an access token, and an expired ticket', () => {
    const metas: (Record<string, string> | undefined)[] = [{ appId: 'wx1', ticketType: 'wx_card' }, undefined, { ticketType: 'jsapi' }];
    for (const meta of metas) {
      expect(isSigningTicket(ticket(meta))).toBe(false);
      expect(() => signJssdkConfig(ticket(meta), documented.url)).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'ticket' }));
    }
    expect(() => signJssdkConfig(ticket({ appId: 'wx1', ticketType: 'jsapi' }, Date.now() - 1), documented.url)).toThrow(expect.objectContaining({ field: 'ticket', reason: expect.stringContaining('expired') }));
  });
});
