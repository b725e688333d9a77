/**
 * The code exchange of a connect link (RFC 6749 §4.1.3 with the PKCE verifier of RFC 7636),
 * through oauth4webapi: the authorization response is validated first (RFC 9207 `iss` against the
 * configured issuer, so a code from another server is refused), then one token request is sent
 * through the egress-checked fetch, and its 200 answer is made durable before it is read (a
 * retried attempt reads the saved answer instead of replaying a code that is already spent).
 *
 * Failures: an OAuth error answer (`invalid_grant`: the code is spent, expired, or the PKCE
 * verifier does not match) is final (`exchange_failed` with the server's code); a network error
 * or a 408/429/5xx is retried by the activity's retry policy.
 */
import { Context } from '@temporalio/activity';
import * as oauth from 'oauth4webapi';
import { transientStatusError } from '../../providers/http';
import { connectFailure, grantOf, jsonBody, oauthError, requestOptions, savedAnswer, serverOf, tokenRequestFetch, withoutIdToken, type ServerDeps } from './authorization-server';
import type { ExchangeCodeInput, ObtainedGrant } from './contracts';
import { timeoutSignal } from '../timeout-signal';

/** Creates the `exchangeAuthorizationCode` activity. */
export function createExchangeAuthorizationCode(deps: ServerDeps) {
  return async function exchangeAuthorizationCode(input: ExchangeCodeInput): Promise<ObtainedGrant> {
    const ctx = Context.current();
    const { config, as, client, auth, allowInsecure } = serverOf(input.profile);
    const secrets = [config.clientSecret, input.code, input.codeVerifier];
    // An `iss` can only be checked against a configured issuer; without one it is dropped (not trusted either).
    const response = new URLSearchParams({ code: input.code, ...(input.iss !== undefined && config.issuer !== undefined ? { iss: input.iss } : {}) });
    let callbackParameters: URLSearchParams;
    try {
      callbackParameters = oauth.validateAuthResponse(as, client, response, oauth.skipStateCheck);
    } catch (err) {
      throw connectFailure({ result: 'exchange_failed', code: 'issuer_mismatch', message: `the authorization response does not come from ${as.issuer} (${(err as Error).message})` });
    }
    const signal = timeoutSignal(30_000, ctx.cancellationSignal);
    const saved = savedAnswer();
    const fetch = tokenRequestFetch(deps, saved);
    const sentAt = saved?.sentAt ?? Date.now();
    let answer: Response;
    try {
      answer = await oauth.authorizationCodeGrantRequest(as, client, auth, callbackParameters, input.redirectUri, input.codeVerifier ?? oauth.nopkce, requestOptions(fetch, signal, allowInsecure));
    } catch (err) {
      throw new Error(`the token endpoint could not be reached (${(err as { code?: string }).code ?? 'network error'})`, { cause: err });
    }
    const transient = transientStatusError(answer.status, answer.headers, Date.now());
    if (transient) throw new Error(transient.message);
    const raw = await jsonBody(answer);
    let rejection: unknown;
    try {
      const checked = config.issuer === undefined ? withoutIdToken(answer, raw) : answer;
      await oauth.processAuthorizationCodeResponse(as, client, checked, { expectedNonce: oauth.expectNoNonce, requireIdToken: false });
    } catch (err) {
      if (answer.status === 200) {
        rejection = err;
      } else {
        const refused = oauthError(raw, secrets);
        const detail = refused ? `${refused.error} (HTTP ${answer.status})${refused.description ? `: ${refused.description}` : ''}` : `HTTP ${answer.status}`;
        throw connectFailure({ result: 'exchange_failed', code: refused?.error ?? `http_${answer.status}`, message: `the token endpoint refused the authorization code with ${detail}` });
      }
    }
    if (answer.status !== 200) throw connectFailure({ result: 'exchange_failed', code: `http_${answer.status}`, message: `the token endpoint answered HTTP ${answer.status}` });
    return grantOf(raw, { sentAt, defaultLifetimeMs: input.profile.defaultLifetimeMs, scope: input.profile.scope, secrets, rejection });
  };
}
