/**
 * The API's access check, run as an `onRequest` hook before the body is even read: 401 without a
 * known key, 403 when the key lacks the route's scope or does not cover the credential in the path.
 * Path ids are validated here too (400 naming `id`), before any glob is matched against them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { credentialIdPattern } from '../client/registration';
import { AuthenticationError, InvalidRequestError, PermissionDeniedError } from '../errors';
import { bearerToken, type ApiKey, type ApiKeys, type ApiScope } from './keys';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key that authenticated this request (set by `requireKey`). */
    apiKey?: ApiKey;
  }
}

/** What a key must cover besides the scope: the `:id` of the path, every credential, or nothing more. */
export type KeyCoverage = 'credential' | 'all' | 'scope-only';

/** Lets routes read `request.apiKey`; call once on the root instance. */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest('apiKey', undefined);
}

/** The key a request authenticates with, or throws `AuthenticationError` (401). */
export function authenticateRequest(keys: ApiKeys, request: FastifyRequest): ApiKey {
  const header = request.headers.authorization;
  const key = keys.authenticate(header);
  if (key) return key;
  if (bearerToken(header) === undefined) throw new AuthenticationError('an API key is required: send Authorization: Bearer <key>');
  throw new AuthenticationError('the API key is not valid', 'invalid_token');
}

/** An `onRequest` hook that admits keys with `scope` (or stronger) and the given coverage. */
export function requireKey(keys: ApiKeys, scope: ApiScope, coverage: KeyCoverage) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const key = authenticateRequest(keys, request);
    if (!keys.allows(key, scope)) throw new PermissionDeniedError(scope, `this API key lacks the ${scope} scope`);
    if (coverage === 'all' && !keys.allowsAll(key, scope)) {
      throw new PermissionDeniedError(scope, `this route needs a key with the ${scope} scope over all credentials ("*")`);
    }
    if (coverage === 'credential') {
      const id = (request.params as { id?: string }).id ?? '';
      if (!credentialIdPattern.test(id)) {
        throw new InvalidRequestError('id', 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
      }
      if (!keys.allows(key, scope, id)) throw new PermissionDeniedError(scope, `this API key does not cover credential ${id}`);
    }
    request.apiKey = key;
  };
}
