/**
 * The `github_app` provider: installation access tokens of a GitHub App.
 *
 * Each refresh signs an app JWT (RS256 with the app's private key, jose; `iat` 60 s in the past
 * for clock drift, `exp` 9 minutes ahead, under GitHub's 10-minute limit; `iss` the app id) and
 * sends one `POST {baseUrl}/app/installations/{installationId}/access_tokens`, with the optional
 * narrowing (`repositories`, `repository_ids`, `permissions`) as its JSON body. The answer (201)
 * carries `token` and `expires_at` (an instant; tokens live one hour).
 */
import type { Grant, TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { scrubKnownSecrets } from '../secrets/scrub';
import { errcodeWords as w, malformedRules, transportRules, type ClassificationRule } from './classification';
import { githubAppConfigSchema, githubAppFields, type GithubAppConfig } from './github-app-config';
import { maxRetryAfterMs, parseJsonObject, parseRetryAfter, readTextCapped, shorten, transientStatusError, transportError, unexpectedStatusError, upstreamFetch } from './http';
import { maxLifetimeMs, minLifetimeMs } from './lifetime';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';
import { metadataOf } from './request-extras';
import { epochSeconds, signJwt } from './signing-key';
import { joinUrl } from './url';

/** The REST API version Halflife speaks (`X-GitHub-Api-Version`). */
export const githubApiVersion = '2022-11-28';

/** How far the app JWT's `iat` is backdated, and how far ahead its `exp` is (GitHub allows at most 10 minutes). */
export const appJwtBackdateS = 60;
export const appJwtLifetimeS = 540;

const rules: ClassificationRule[] = [
  { match: 'HTTP 401', kind: 'configuration', code: 'app_jwt_rejected', retry: `${w.reprobed} (the app JWT was refused: a wrong \`appId\` or \`privateKey\`, or this host's clock is off)` },
  { match: 'HTTP 403, rate limited', kind: 'transient', code: 'rate_limited', retry: 'retried after `Retry-After` or `x-ratelimit-reset`' },
  { match: 'HTTP 403', kind: 'configuration', code: 'installation_forbidden', retry: `${w.reprobed} (the installation is suspended, or the app may not do this)` },
  { match: 'HTTP 404', kind: 'configuration', code: 'installation_not_found', retry: `${w.reprobed} (no such installation of this app: a wrong \`installationId\` or \`baseUrl\`, or the app was uninstalled)` },
  {
    match: 'HTTP 422',
    kind: 'configuration',
    code: 'narrowing_rejected',
    retry: `${w.reprobed} (\`repositories\`, \`repositoryIds\` or \`permissions\` ask for more than the installation granted; it works once the owner grants it)`,
  },
  ...transportRules,
  ...malformedRules.filter((row) => row.match === 'non-JSON body' || row.match === 'body over 64 KiB'),
  { match: 'missing token', kind: 'malformed', code: 'missing_access_token', retry: w.backoff },
  { match: 'invalid expires_at', kind: 'malformed', code: 'invalid_expires_at', retry: w.backoff },
];

const statusCodes: Record<number, string> = { 401: 'app_jwt_rejected', 403: 'installation_forbidden', 404: 'installation_not_found', 422: 'narrowing_rejected' };

/** The app JWT GitHub authenticates the app with, issued at `now`. */
export async function appJwt(config: GithubAppConfig, now: number): Promise<string> {
  const nowS = epochSeconds(now);
  return signJwt({ iat: nowS - appJwtBackdateS, exp: nowS + appJwtLifetimeS, iss: config.appId }, { privateKey: config.privateKey, algorithm: 'RS256' });
}

/** The JSON body that narrows the token, or undefined when nothing is narrowed. */
function narrowing(config: GithubAppConfig): string | undefined {
  const body = {
    ...(config.repositories !== undefined ? { repositories: config.repositories } : {}),
    ...(config.repositoryIds !== undefined ? { repository_ids: config.repositoryIds } : {}),
    ...(config.permissions !== undefined ? { permissions: config.permissions } : {}),
  };
  return Object.keys(body).length > 0 ? JSON.stringify(body) : undefined;
}

/** The classified error of an answer that is not a success. */
function failure(response: Response, text: string, now: number, secrets: readonly string[]): ProviderError {
  const transient = transientStatusError(response.status, response.headers, now);
  if (transient) return transient;
  const code = statusCodes[response.status];
  if (code === undefined) return unexpectedStatusError(response.status);
  let said = '';
  try {
    const message = parseJsonObject(text).message;
    if (typeof message === 'string') said = `: ${shorten(scrubKnownSecrets(message, secrets))}`;
  } catch {
    // not JSON: the status says enough
  }
  const limited = response.status === 403 && (response.headers.get('x-ratelimit-remaining') === '0' || response.headers.has('retry-after'));
  if (limited) {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    const untilReset = Number.isFinite(reset) && reset > 0 ? Math.min(Math.max(0, reset * 1000 - now), maxRetryAfterMs) : undefined;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now) ?? untilReset;
    return new ProviderError('transient', 'rate_limited', `GitHub rate limit reached (HTTP 403)${said}`, { httpStatus: 403, retryAfterMs });
  }
  return new ProviderError('configuration', code, `GitHub refused the installation token (HTTP ${response.status})${said}`, { httpStatus: response.status });
}

/** The token set of a 201 answer, its lifetime up to `expires_at`. */
function tokenOf(body: Record<string, unknown>, sentAt: number, metadataFields: readonly string[] | undefined): TokenSet {
  if (typeof body.token !== 'string' || body.token === '') throw new ProviderError('malformed', 'missing_access_token', 'GitHub answer has no token', { httpStatus: 201 });
  const expiresAt = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : Number.NaN;
  if (!Number.isFinite(expiresAt) || expiresAt - sentAt < minLifetimeMs) {
    throw new ProviderError('malformed', 'invalid_expires_at', 'GitHub answer has a missing, unreadable or past expires_at', { httpStatus: 201 });
  }
  const metadata = metadataOf(body, metadataFields);
  return { accessToken: body.token, tokenType: 'Bearer', issuedAt: sentAt, expiresAt: Math.min(expiresAt, sentAt + maxLifetimeMs), ...(metadata ? { metadata } : {}) };
}

/** Mints an installation token with a newly signed app JWT. */
async function refresh(config: GithubAppConfig, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const jwt = await appJwt(config, ctx.now());
  const secrets = [jwt, config.privateKey];
  const body = narrowing(config);
  const url = joinUrl(config.baseUrl, `/app/installations/${config.installationId}/access_tokens`);
  const headers: Record<string, string> = { authorization: `Bearer ${jwt}`, accept: 'application/vnd.github+json', 'x-github-api-version': githubApiVersion, 'user-agent': 'halflife' };
  let response: Response;
  let text: string;
  const sentAt = ctx.now();
  try {
    response = await upstreamFetch(ctx)(url, { method: 'POST', headers: body ? { ...headers, 'content-type': 'application/json' } : headers, body, signal: ctx.signal, redirect: 'manual' });
    text = await readTextCapped(response);
  } catch (err) {
    throw transportError(err, ctx.signal);
  }
  if (response.status !== 201 && response.status !== 200) throw failure(response, text, ctx.now(), secrets);
  return { token: tokenOf(parseJsonObject(text, response.status), sentAt, config.metadataFields) };
}

/** The `github_app` provider. */
export const githubAppProvider = defineProvider<GithubAppConfig>({
  name: 'github_app',
  fields: githubAppFields,
  configSchema: githubAppConfigSchema,
  needsRefreshToken: false,
  classification: rules,
  summary: { grant: 'GitHub App installation token (`POST /app/installations/{id}/access_tokens`)', refreshToken: 'no', repeatsToken: 'no' },
  refresh,
});
