/**
 * `isAuthError`, the default test of `TokenClient.withToken`: HTTP 401 in the usual error shapes of
 * HTTP clients, and the WeChat/WeCom errcodes that mean "this access token was refused" (40001,
 * 40014, 42001). Everything else, including other 4xx and quota errcodes, is not an auth error.
 */
import { isAuthError, tokenRejectedErrcodes } from '../../../src/client/auth-errors';

describe('isAuthError', () => {
  it('lists exactly the token-refused errcodes of the docs', () => {
    expect([...tokenRejectedErrcodes].sort()).toEqual([40001, 40014, 42001]);
  });

  it.each<[string, unknown]>([
    ['status 401 (fetch Response, ky, got)', { status: 401 }],
    ['statusCode 401 (node http, undici)', { statusCode: 401 }],
    ['response.status 401 (axios)', { response: { status: 401 } }],
    ['response.statusCode 401', { response: { statusCode: 401 } }],
    ['status as text "401"', { status: '401' }],
    ['an Error with status 401', Object.assign(new Error('unauthorized'), { status: 401 })],
    ['errcode 40001 (WeChat: invalid credential)', { errcode: 40001 }],
    ['errcode 40014 (invalid access_token)', { errcode: 40014 }],
    ['errcode 42001 (access_token expired)', { errcode: 42001 }],
    ['body.errcode 42001', { body: { errcode: 42001 } }],
    ['data.errcode 40014 (axios answer data)', { data: { errcode: 40014 } }],
    ['errcode as text "40001"', { errcode: '40001' }],
  ])('%s is an auth error', (_name, err) => {
    expect(isAuthError(err)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['status 403', { status: 403 }],
    ['status 400', { status: 400 }],
    ['status 500', { status: 500 }],
    ['response.status 429', { response: { status: 429 } }],
    ['errcode 0', { errcode: 0 }],
    ['errcode 45009 (quota)', { errcode: 45009 }],
    ['errcode -1 (busy)', { errcode: -1 }],
    ['errcode 40013 (invalid appid)', { errcode: 40013 }],
    ['a plain Error', new Error('401 Unauthorized')],
    ['a string', '401'],
    ['a number', 401],
    ['null', null],
    ['undefined', undefined],
    ['status not a number', { status: 'unauthorized' }],
  ])('%s is not an auth error', (_name, err) => {
    expect(isAuthError(err)).toBe(false);
  });
});
