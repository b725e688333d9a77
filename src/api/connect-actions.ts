/**
 * What the HTTP API and the CLI do to create a connect session: look at the credential (its
 * provider must be oauth2; its settings and granted scope fill what the body leaves out), then
 * `ConnectClient.create`. Errors name fields in the API's snake_case terms.
 */
import type { ConnectClient } from '../connect/connect-client';
import type { ExistingSettings } from '../connect/profile';
import { isHalflifeError, ProviderMismatchError } from '../errors';
import { inApiTerms } from './credential-actions';
import type { ApiTokenClient } from './credential-routes';

/** The existing credential's provider and settings, or undefined when there is none. */
async function existingSettings(client: ApiTokenClient, id: string): Promise<ExistingSettings | undefined> {
  try {
    const d = await client.describe(id);
    return d.status === 'revoked' ? undefined : { provider: d.provider, settings: d.settings, ...(d.scope ? { scope: d.scope } : {}) };
  } catch (err) {
    if (isHalflifeError(err, 'CredentialNotFoundError')) return undefined;
    throw err;
  }
}

/** Creates a connect session for `id` from a connect body: checks the credential's provider, then `ConnectClient.create`. */
export async function createConnectSession(connect: Pick<ConnectClient, 'create'>, client: ApiTokenClient, id: string, body: unknown, createdBy?: string) {
  const existing = await existingSettings(client, id);
  if (existing && existing.provider !== 'oauth2') throw new ProviderMismatchError(id, existing.provider, 'oauth2');
  return inApiTerms(connect.create(id, body ?? {}, { existing, createdBy }));
}
