/**
 * What the connect activities share: the oauth4webapi view of the authorization server and client
 * built from a session's profile, the request options (every request through the worker's
 * egress-checked fetch), the durable capture of a token answer (made durable by an acknowledged
 * heartbeat before anything reads it, because an authorization or device code is single use: a
 * crash after the answer must not lose the refresh token in it), and the reading of answers.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import * as oauth from 'oauth4webapi';
import type { ConnectProfile } from '../../connect/messages';
import { cappedFetch, shorten } from '../../providers/http';
import { isJsonObject, readAnswer } from '../../providers/oauth2-answer';
import type { OAuth2Config } from '../../providers/oauth2-config';
import { isLoopback } from '../../providers/url';
import { scrubKnownSecrets } from '../../secrets/scrub';
import { capturingFetch, replayingFetch, type SavedAnswer, type UpstreamFetch } from '../answer-capture';
import type { DurableHeartbeat } from '../durable-heartbeat';
import { connectFailureType, type ConnectFailureDetails, type ObtainedGrant } from './contracts';

/** Dependencies of the connect activities that talk to the authorization server. */
export interface ServerDeps {
  /** Sends upstream requests (the worker's egress-checked fetch). @default a size-capped global fetch */
  send?: UpstreamFetch;
  /** The awaitable heartbeat; without it the SDK's queued one is used (not a durability barrier). */
  heartbeat?: DurableHeartbeat;
}

/** The heartbeat details of a connect activity: progress, or the answer it got. */
export type ConnectProgress = { phase: 'polling'; intervalS: number; lastPollAt?: number } | { phase: 'answered'; answer: SavedAnswer };

/** The server, client and authentication oauth4webapi calls take, from a profile. */
export function serverOf(profile: ConnectProfile) {
  const config = profile.config as unknown as OAuth2Config;
  const tokenEndpoint = config.tokenEndpoint ?? '';
  const as: oauth.AuthorizationServer = {
    issuer: config.issuer ?? new URL(tokenEndpoint).origin,
    token_endpoint: tokenEndpoint,
    ...(profile.deviceAuthorizationEndpoint ? { device_authorization_endpoint: profile.deviceAuthorizationEndpoint } : {}),
    ...(profile.issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
  };
  const client: oauth.Client = { client_id: config.clientId };
  const auth = config.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(config.clientSecret ?? '') : oauth.ClientSecretBasic(config.clientSecret ?? '');
  const insecure = (url: string | undefined) => url !== undefined && new URL(url).protocol === 'http:' && (isLoopback(new URL(url)) || config.allowInsecureHttp === true);
  const allowInsecure = insecure(tokenEndpoint) && (profile.deviceAuthorizationEndpoint === undefined || insecure(profile.deviceAuthorizationEndpoint));
  return { config, as, client, auth, allowInsecure };
}

/** The options of one oauth4webapi request sent through `fetch`. */
export function requestOptions(fetch: UpstreamFetch, signal: AbortSignal, allowInsecure: boolean) {
  return {
    signal,
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', unknown>) => fetch(new URL(url), init as RequestInit),
    [oauth.allowInsecureRequests]: allowInsecure,
  };
}

/** A failure that retrying cannot fix, classified for the workflow. */
export function connectFailure(details: ConnectFailureDetails): ApplicationFailure {
  return ApplicationFailure.create({ type: connectFailureType, message: `${details.code}: ${details.message}`, nonRetryable: true, details: [details] });
}

/** Records heartbeat `details` and, with the durable heartbeat, waits until the server has them. */
export async function beat(deps: ServerDeps, details: ConnectProgress): Promise<void> {
  const ctx = Context.current();
  if (!deps.heartbeat) return ctx.heartbeat(details);
  await deps.heartbeat.record(ctx.info.taskToken, details);
}

/** The answer an earlier attempt of this activity saved, if any. */
export function savedAnswer(): SavedAnswer | undefined {
  const progress = Context.current().info.heartbeatDetails as ConnectProgress | undefined;
  return progress?.phase === 'answered' ? progress.answer : undefined;
}

/**
 * The fetch for one token request: it replays the saved answer of a crashed attempt, or sends
 * the request and makes a 200 answer durable (acknowledged heartbeat) before returning it.
 */
export function tokenRequestFetch(deps: ServerDeps, saved: SavedAnswer | undefined): UpstreamFetch {
  if (saved) return replayingFetch(saved);
  return capturingFetch({
    send: deps.send ?? ((url, init) => cappedFetch(url.toString(), init)),
    now: Date.now,
    onSend: () => undefined,
    onAnswer: async (answer) => {
      if (answer.status === 200) await beat(deps, { phase: 'answered', answer });
    },
  });
}

/** The JSON body of an answer, or undefined. */
export async function jsonBody(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.clone().text()) as unknown;
  } catch {
    return undefined;
  }
}

/** The answer without its `id_token`, for servers whose issuer is unknown (the same rule as refreshes, see providers/oauth2-exchange.ts). */
export function withoutIdToken(response: Response, raw: unknown): Response {
  if (!isJsonObject(raw) || !('id_token' in raw)) return response;
  const { id_token: _ignored, ...rest } = raw;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(rest), { status: response.status, statusText: response.statusText, headers });
}

/** An OAuth error answer (RFC 6749 §5.2) as its `error` code and a scrubbed, shortened description. */
export function oauthError(raw: unknown, secrets: readonly (string | undefined)[]): { error: string; description: string } | undefined {
  if (!isJsonObject(raw) || typeof raw.error !== 'string' || raw.error === '') return undefined;
  const error = raw.error.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  const description = typeof raw.error_description === 'string' ? shorten(scrubKnownSecrets(raw.error_description, secrets)) : '';
  return { error, description };
}

/**
 * The grant of a 200 answer, read by Halflife's rules (`readAnswer`): the lifetime counts from
 * when the request was sent; a validation problem that did not stop it being used is a warning.
 */
export function grantOf(raw: unknown, options: { sentAt: number; defaultLifetimeMs: number; scope?: string; secrets: readonly (string | undefined)[]; rejection?: unknown }): ObtainedGrant {
  if (!isJsonObject(raw)) throw connectFailure({ result: 'exchange_failed', code: 'invalid_json', message: 'the token endpoint answer is not a JSON object' });
  let read;
  try {
    read = readAnswer(raw, { sentAt: options.sentAt, defaultLifetimeMs: options.defaultLifetimeMs, fallbackScope: options.scope, secrets: options.secrets });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw connectFailure({ result: 'exchange_failed', code: e.code ?? 'malformed', message: scrubKnownSecrets(e.message ?? 'the answer could not be used', options.secrets) });
  }
  const refreshToken = typeof raw.refresh_token === 'string' && raw.refresh_token !== '' ? raw.refresh_token : undefined;
  const rejection = options.rejection;
  const warning = rejection === undefined ? undefined : { code: 'answer_not_conform', message: shorten(scrubKnownSecrets(`the answer failed validation (${(rejection as Error).message}); it was used anyway`, options.secrets)) };
  return { token: read.token, ...(refreshToken ? { refreshToken } : {}), ...(warning ? { warning } : {}) };
}
