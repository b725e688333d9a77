/** `canonicalUrl` (accepted differences, refused ones with their reasons), `queryProblem` and `redactSecretQuery`. */
import { canonicalUrl, maxUrlLength, queryProblem, redactSecretQuery } from '../../../src/egress';

describe('canonicalUrl', () => {
  test.each([
    ['https://example.com/token', 'https://example.com/token'],
    ['HTTPS://EXAMPLE.COM/token', 'https://example.com/token'],
    ['https://example.com:443/token', 'https://example.com/token'],
    ['http://example.com:80/token', 'http://example.com/token'],
    ['https://example.com:8443/token', 'https://example.com:8443/token'],
    ['https://example.com:80/token', 'https://example.com:80/token'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com?a=1', 'https://example.com/?a=1'],
    ['https://example.com/t?a=1&b=%20#frag', 'https://example.com/t?a=1&b=%20#frag'],
    ['http://[::FFFF:7F00:1]:8080/x', 'http://[::ffff:7f00:1]:8080/x'],
    ['https://xn--bcher-kva.example/', 'https://xn--bcher-kva.example/'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
  ])('accepts %j as %j', (input, url) => {
    expect(canonicalUrl(input)).toEqual({ url });
    expect(canonicalUrl(url)).toEqual({ url });
  });

  test.each([
    [' https://example.com/', 'white space'],
    ['https://example.com/\u0020', 'white space'],
    ['\thttps://example.com/', 'control character (U+0009)'],
    ['https://exa\tmple.com/', 'control character (U+0009)'],
    ['https://example.com/\u0000', 'control character (U+0000)'],
    ['https://example.com/\u007f', 'control character (U+007F)'],
    ['https://example.com/\u0085', 'control character (U+0085)'],
    ['https://example.com/\u202Etxt.exe', 'bidirectional-text control character (U+202E)'],
    ['https://example.com/\u2066', 'bidirectional-text control character (U+2066)'],
    ['https://example.com/\u061C', 'bidirectional-text control character (U+061C)'],
    ['https://exa\u00ADmple.com/', 'invisible formatting character (U+00AD)'],
    ['https://example.com/\uFEFF', 'invisible formatting character (U+FEFF)'],
    ['https://example.com/\u2028', 'invisible formatting character (U+2028)'],
    ['https://example.com\\token', 'backslash'],
    ['http:/example.com/', 'changes the "//" after the scheme'],
    ['http:example.com/', 'changes the "//" after the scheme'],
    ['http:///example.com/', 'changes the host or port'],
    ['https://0x7f.0.0.1/', 'changes the host or port'],
    ['https://2130706433/', 'changes the host or port'],
    ['https://0177.0.0.1/', 'changes the host or port'],
    ['https://%6c%6f%63%61%6c%68%6f%73%74/', 'changes the host or port'],
    ['https://b\u00fccher.example/', 'changes the host or port'],
    ['https://\u212Aey.example/', 'changes the host or port'],
    ['https://[::ffff:127.0.0.1]/', 'changes the host or port'],
    ['https://[0:0::1]/', 'changes the host or port'],
    ['https://example.com:0443/', 'changes the host or port'],
    ['https://example.com:/', 'changes the host or port'],
    ['https://@example.com/', 'changes the user name or password'],
    ['https://user:@example.com/', 'changes the user name or password'],
    ['https://example.com/a/./b', 'changes the path, query or fragment'],
    ['https://example.com/a/%2E%2E/b', 'changes the path, query or fragment'],
    ['https://example.com/a b', 'changes the path, query or fragment'],
    ['https://example.com/?q=a b', 'changes the path, query or fragment'],
    ['https://example.com/caf\u00e9', 'changes the path, query or fragment'],
    ['https://example.com./', 'must not end its host name with a dot'],
    ['example.com/token', 'must be an absolute URL'],
    ['', 'must be an absolute URL'],
    ['https://', 'must be an absolute URL'],
    [`https://example.com/${'a'.repeat(maxUrlLength)}`, `at most ${maxUrlLength} characters`],
  ])('refuses %j (%s)', (input, reason) => {
    const result = canonicalUrl(input);
    expect('problem' in result && result.problem).toContain(reason);
  });
});

describe('queryProblem', () => {
  test.each([
    'https://a.example/token?client_secret=abc',
    'https://a.example/token?Client-Secret=abc',
    'https://a.example/token?password=hunter2',
    'https://a.example/token?access_token=x',
    'https://a.example/token?refresh_token=x',
    'https://a.example/token?api_key=x',
    'https://a.example/token?key=x',
    'https://a.example/token?code=x',
    'https://a.example/token?corpsecret=x',
    'https://a.example/token?x=1&client_assertion=x',
    'https://a.example/token?x=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    'https://a.example/token?x=0123456789abcdef0123456789abcdef',
    'https://a.example/token?x=ghp_aaaaaaaaaaaaaaaaaaaa',
    'https://a.example/token?x=AbCdEfGh12345678IjKlMn',
  ])('%s looks like it carries a secret', (url) => {
    expect(queryProblem(url)).toMatch(/query parameter \d+ .*secret/);
    expect(queryProblem(new URL(url))).toBeDefined();
  });

  test.each([
    'https://a.example/token',
    'https://a.example/token?',
    'https://a.example/token?api-version=2023-10-01',
    'https://a.example/token?grant_type=client_credentials&scope=read%20write',
    'https://a.example/token?tenant=3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b',
    'https://a.example/token?monkey=banana',
    'not a url',
  ])('%s does not', (url) => {
    expect(queryProblem(url)).toBeUndefined();
  });

  test('names the parameter by position, never by its text or value', () => {
    const problem = queryProblem('https://a.example/t?a=1&s3cr3tV4lu3IsH3r3AbCdEf=2&client_secret=hunter2hunter2') ?? '';
    expect(problem).toContain('query parameter 2');
    expect(problem).not.toMatch(/s3cr3t|hunter2/);
  });
});

describe('redactSecretQuery', () => {
  test('replaces secret-looking values, keeps the rest', () => {
    expect(redactSecretQuery('https://a.example/t?a=1&client_secret=hunter2&b=2')).toBe('https://a.example/t?a=1&client_secret=***&b=2');
  });

  test('leaves a URL without secrets unchanged', () => {
    expect(redactSecretQuery('https://a.example/t?a=%20x')).toBe('https://a.example/t?a=%20x');
  });
});
