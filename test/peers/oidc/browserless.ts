/**
 * Drives oidc-provider's development login and consent pages (devInteractions) and its device
 * verification pages over plain HTTP, as a browser would, without one: follows redirects by hand,
 * keeps cookies, and submits the forms it finds. Used to mint grants through the real
 * authorization code flow and by tests of flows that hand a user an authorization URL.
 */

/** How the simulated user answers the provider's pages. */
export interface BrowserlessUserOptions {
  /** The login typed into the login form (becomes the account id, `sub`). @default 'user' */
  login?: string;
  /** The password typed (devInteractions accepts any). @default 'password' */
  password?: string;
  /** Approve (submit login and consent) or deny (abort the interaction). @default 'approve' */
  decision?: 'approve' | 'deny';
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Give up after this many requests. @default 20 */
  maxSteps?: number;
}

/** Options of {@link completeAuthorizationCodeFlow}. */
export interface AuthorizationFlowOptions extends BrowserlessUserOptions {
  /** Stop at the first redirect to this URI (compared without query). Default: the `redirect_uri` of the authorization URL, else the first redirect that leaves the provider's origin. */
  redirectUri?: string;
}

/** Where the provider sent the user back to the client. */
export interface AuthorizationFlowResult {
  /** The full redirect to the client (not fetched). */
  redirectTo: URL;
  /** `code`, when the user approved. */
  code?: string;
  /** `state`, as the client sent it. */
  state?: string;
  /** `iss` (RFC 9207), when the provider sent it. */
  iss?: string;
  /** `error` (e.g. `access_denied`), when the flow failed. */
  error?: string;
  /** `error_description`, when given. */
  errorDescription?: string;
}

/** Outcome of {@link completeDeviceFlow}. */
export interface DeviceFlowResult {
  /** True when the provider's success page was reached. */
  approved: boolean;
  /** The last page's visible text (a short excerpt). */
  page: string;
}

/** A minimal cookie jar for one loopback host: name, path, expiry. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookies: readonly string[], requestUrl: URL): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path' && val) path = val;
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.cookies.values()]
      .filter((cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }
}

const entities: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return entities[entity.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) found[match[1]!.toLowerCase()] = decodeEntities(match[2]!);
  return found;
}

interface Form {
  id?: string;
  action: string;
  method: string;
  inputs: Array<Record<string, string>>;
}

function forms(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const attrs = attributes(match[1]!);
    return {
      id: attrs.id,
      action: attrs.action ?? '',
      method: (attrs.method ?? 'get').toLowerCase(),
      inputs: [...match[2]!.matchAll(/<input\b([^>]*)>/gi)].map((input) => attributes(input[1]!)),
    };
  });
}

/** The page's visible text, shortened, for error messages. */
function excerpt(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

interface Step {
  url: URL;
  method: 'GET' | 'POST';
  body?: URLSearchParams;
}

/** What the user does on a page: the next request, or undefined when the page ends the flow. */
function answerPage(html: string, pageUrl: URL, options: BrowserlessUserOptions): Step | undefined {
  const deny = options.decision === 'deny';
  const candidates = forms(html).filter((form) => form.method === 'post');
  for (const form of candidates) {
    const fields = new URLSearchParams();
    for (const input of form.inputs) if (input.name && (input.type ?? 'text') === 'hidden') fields.set(input.name, input.value ?? '');
    const action = new URL(form.action || pageUrl.href, pageUrl);
    const prompt = fields.get('prompt');
    if (prompt === 'login' || prompt === 'consent') {
      if (deny) {
        const abort = html.match(/href="([^"]*\/abort[^"]*)"/i)?.[1];
        if (!abort) throw new Error(`the ${prompt} page at ${pageUrl.pathname} has no abort link`);
        return { url: new URL(decodeEntities(abort), pageUrl), method: 'GET' };
      }
      if (prompt === 'login') {
        fields.set('login', options.login ?? 'user');
        fields.set('password', options.password ?? 'password');
      }
      return { url: action, method: 'POST', body: fields };
    }
    // Device verification pages: the user code form (prefilled from verification_uri_complete),
    // the confirmation form, and the self-submitting forms between them.
    for (const input of form.inputs) {
      if (input.name && input.type !== 'hidden' && input.type !== 'submit' && input.type !== 'button') {
        if (!input.value) throw new Error(`the page at ${pageUrl.pathname} asks for ${input.name}; open verification_uri_complete instead`);
        fields.set(input.name, input.value);
      }
    }
    if (form.id === 'op.deviceConfirmForm' && deny) fields.set('abort', 'yes');
    return { url: action, method: 'POST', body: fields };
  }
  return undefined;
}

/** Runs the request loop until `isEnd(url)` says a redirect target is the end, or a page has no form to answer. */
async function browse(start: URL, options: BrowserlessUserOptions, isEnd: (url: URL) => boolean): Promise<{ end?: URL; page?: string }> {
  const jar = new CookieJar();
  let step: Step = { url: start, method: 'GET' };
  const maxSteps = options.maxSteps ?? 20;
  for (let i = 0; i < maxSteps; i += 1) {
    if (isEnd(step.url)) return { end: step.url };
    const headers: Record<string, string> = { accept: 'text/html', ...options.headers };
    const cookie = jar.header(step.url);
    if (cookie) headers.cookie = cookie;
    if (step.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(step.url, { method: step.method, headers, body: step.body, redirect: 'manual' });
    jar.store(response.headers.getSetCookie(), step.url);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      step = { url: new URL(location, step.url), method: 'GET' };
      continue;
    }
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${step.method} ${step.url.pathname} answered ${response.status}: ${text.slice(0, 300)}`);
    const next = answerPage(text, step.url, options);
    if (!next) return { page: excerpt(text) };
    step = next;
  }
  throw new Error(`the flow did not finish within ${maxSteps} requests (last: ${step.method} ${step.url.pathname})`);
}

/**
 * Follows an authorization URL through the provider's login and consent pages and returns the
 * redirect back to the client (with `code` and `state`, or `error`), without fetching it.
 */
export async function completeAuthorizationCodeFlow(authorizationUrl: string | URL, options: AuthorizationFlowOptions = {}): Promise<AuthorizationFlowResult> {
  const start = new URL(authorizationUrl);
  const redirectUri = options.redirectUri ?? start.searchParams.get('redirect_uri') ?? undefined;
  const target = redirectUri ? new URL(redirectUri) : undefined;
  const isEnd = (url: URL) => (target ? url.origin === target.origin && url.pathname === target.pathname : url.origin !== start.origin);
  const { end, page } = await browse(start, options, isEnd);
  if (!end) throw new Error(`the authorization flow stopped on a page instead of redirecting to the client: ${page}`);
  const param = (name: string) => end.searchParams.get(name) ?? undefined;
  return { redirectTo: end, code: param('code'), state: param('state'), iss: param('iss'), error: param('error'), errorDescription: param('error_description') };
}

/**
 * Opens a device flow's `verification_uri_complete`, confirms the user code, logs in and consents
 * (or denies), as the user of RFC 8628 would on another device.
 */
export async function completeDeviceFlow(verificationUriComplete: string | URL, options: BrowserlessUserOptions = {}): Promise<DeviceFlowResult> {
  const start = new URL(verificationUriComplete);
  const { page = '' } = await browse(start, options, (url) => url.origin !== start.origin);
  return { approved: /success/i.test(page), page };
}
