/**
 * What the HTTP API and the CLI do with the API's request bodies: register or replace a credential
 * from a `PUT` body, and reauthorize from a grant or a full body. Errors name fields in the API's
 * snake_case terms (`client_id`, not `config.clientId`).
 */
import type { TokenView } from '../credential';
import { parseRegistration, type RegistrationOptions } from '../client/registration';
import { InvalidConfigError, isHalflifeError, ProviderMismatchError } from '../errors';
import type { ReauthorizeRequest } from '../messages';
import type { ApiTokenClient } from './credential-routes';
import {
  apiFieldName,
  bodyProvider,
  ignoredOnReplace,
  parseBody,
  parseCredentialBody,
  reauthorizeGrantSchema,
  toRegisterInput,
  type CredentialBody,
} from './schemas';

/** Awaits a TokenClient call (or validation), renaming the fields its errors name to the API's (`config.clientId` → `client_id`). */
export async function inApiTerms<T>(call: Promise<T> | (() => T)): Promise<T> {
  try {
    return await (typeof call === 'function' ? call() : call);
  } catch (err) {
    if (isHalflifeError<InvalidConfigError>(err, 'InvalidConfigError')) {
      throw new InvalidConfigError(apiFieldName(err.field), err.reason, err.rule === undefined ? undefined : { rule: err.rule });
    }
    throw err;
  }
}

/** The new configuration and grant of a registration body, checked against the running credential's provider. */
async function replacementFor(client: ApiTokenClient, id: string, body: CredentialBody, options: RegistrationOptions): Promise<ReauthorizeRequest> {
  const spec = await inApiTerms(() => parseRegistration(toRegisterInput(id, body), options));
  const current = await client.describe(id);
  if (current.provider !== spec.provider) throw new ProviderMismatchError(id, current.provider, spec.provider);
  return { grant: spec.grant, config: spec.config, settings: spec.settings, ...(spec.clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt: spec.clientSecretExpiresAt } : {}) };
}

/** The outcome of `registerOrReplace`. */
export interface RegisterOrReplaceResult {
  provider: ReturnType<typeof bodyProvider>;
  created: boolean;
  /** `created`, `unchanged` (the same body again: nothing happened) or `replaced`. */
  result: 'created' | 'unchanged' | 'replaced';
  token: TokenView;
  /** Fields of the body that a replacement did not apply. */
  ignored: string[];
}

/**
 * Registers the credential `id` from a `PUT` body. The same body again is a no-op (it never
 * replays a refresh token); another body replaces the configuration, grant and policy once,
 * however many arrive concurrently, unless `replace` is false (then it is a conflict). The body is
 * validated in full first, outbound URLs against `options.egressPolicy` (422 with the `rule`).
 */
export async function registerOrReplace(client: ApiTokenClient, id: string, raw: unknown, options: { replace?: boolean } & RegistrationOptions = {}): Promise<RegisterOrReplaceResult> {
  const body = parseCredentialBody(raw);
  const input = toRegisterInput(id, body);
  await inApiTerms(() => parseRegistration(input, options));
  const registration = await inApiTerms(client.register(input, { replace: options.replace !== false }));
  const created = registration.result === 'created';
  return { provider: bodyProvider(body), created, result: registration.result, token: registration.token, ignored: created ? [] : ignoredOnReplace(body, true) };
}

/** Reauthorizes `id` from a body that is either `{ refresh_token? }` or a full registration body (a provider's or a preset's). */
export async function reauthorizeFrom(client: ApiTokenClient, id: string, raw: unknown, options: RegistrationOptions = {}): Promise<TokenView> {
  let request: ReauthorizeRequest;
  if (typeof raw === 'object' && raw !== null && ('provider' in raw || 'preset' in raw)) {
    request = await replacementFor(client, id, parseCredentialBody(raw), options);
  } else {
    const body = parseBody(reauthorizeGrantSchema, raw);
    request = body.refresh_token === undefined ? {} : { grant: { refreshToken: body.refresh_token } };
  }
  return inApiTerms(client.reauthorize(id, request));
}
