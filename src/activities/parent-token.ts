/**
 * A derived credential's access to its parent, from the refresh activity, through the worker's
 * TokenClient: the parent's current token (at least the version the derived credential was told
 * of), an announcement to the parent the first time (`addDependent`, so the parent signals each
 * new version), and, when the derived endpoint refused the parent's token, a refresh of the
 * parent reported as a consumer would (`staleVersion`: the parent's budgets and cooldown apply).
 *
 * Every failure is a classified `ProviderError`, so the derived credential's status says why: the
 * rows of `parentRules` (src/providers/classification.ts, documented in docs/providers.md).
 */
import { withDeadline } from '../client/deadline';
import type { TokenClient } from '../client/token-client';
import type { CredentialDescription, ProviderName, TokenView } from '../credential';
import { isHalflifeError, ProviderError } from '../errors';
import { addDependentSignal, credentialWorkflowId } from '../messages';
import type { ParentToken } from '../providers/provider';

/** The part of TokenClient a derived credential's refresh uses. */
export type ParentClient = Pick<TokenClient, 'getToken' | 'refresh' | 'describe' | 'temporal'>;

/**
 * Longest wait for the parent to answer a refresh. The attempt's own budget (start-to-close: twice
 * the upstream timeout plus 10 s) must hold the derived call, this wait and the one retry.
 */
export const maxParentRefreshWaitMs = 8_000;

const timedOut = (id: string) => () => new ProviderError('transient', 'parent_unavailable', `the parent credential ${id} did not answer in time`);

/** The classified failure of a call about parent `id`. */
function parentFailure(id: string, err: unknown): ProviderError {
  if (isHalflifeError(err, 'ProviderError')) return err as ProviderError;
  if (isHalflifeError(err, 'CredentialNotFoundError')) return new ProviderError('configuration', 'parent_revoked', `the parent credential ${id} was revoked (or does not exist)`);
  if (isHalflifeError(err, 'ReauthRequiredError')) {
    return new ProviderError('configuration', 'parent_reauth_required', `the parent credential ${id} is reauth_required and has no valid token (${(err as Error).message.slice(0, 160)})`);
  }
  const what = err instanceof Error ? err.name : 'error';
  return new ProviderError('transient', 'parent_unavailable', `the parent credential ${id} has no token to give now (${what})`, { cause: err });
}

async function describeParent(client: ParentClient, id: string, kinds: readonly ProviderName[]): Promise<CredentialDescription> {
  const d = await client.describe(id).catch((err: unknown) => {
    throw parentFailure(id, err);
  });
  if (d.status === 'revoked') throw parentFailure(id, Object.assign(new Error(), { name: 'CredentialNotFoundError' }));
  if (!kinds.includes(d.provider)) throw new ProviderError('configuration', 'parent_mismatch', `the parent credential ${id} is a ${d.provider} credential, not ${kinds.join(' or ')}`);
  return d;
}

function tokenOf(d: CredentialDescription, view: TokenView): ParentToken {
  return { id: d.id, provider: d.provider, accessToken: view.accessToken, version: view.version, settings: d.settings };
}

/**
 * The parent's current token for an attempt of `childId`: at least `minVersion` (a version the
 * parent signalled, which a cache may not hold yet). Announces `childId` to a parent that does
 * not list it (a lost announcement is not an error: the next refresh announces again).
 */
export async function parentTokenFor(client: ParentClient, childId: string, parent: { id: string; minVersion?: number }, kinds: readonly ProviderName[], timeoutMs: number): Promise<ParentToken> {
  const bounded = <T>(call: Promise<T>) => withDeadline(call, timeoutMs, timedOut(parent.id));
  const d = await bounded(describeParent(client, parent.id, kinds));
  try {
    let view = await bounded(client.getToken(parent.id));
    if (parent.minVersion !== undefined && view.version < parent.minVersion) view = (await bounded(client.refresh(parent.id, { staleVersion: parent.minVersion - 1 }))).token;
    if (!d.dependents?.includes(childId)) {
      const announced = client.temporal.workflow.getHandle(credentialWorkflowId(parent.id)).signal(addDependentSignal, { id: childId, version: view.version });
      await bounded(announced).catch(() => undefined);
    }
    return tokenOf(d, view);
  } catch (err) {
    throw parentFailure(parent.id, err);
  }
}

/**
 * After the derived endpoint refused `used` (the parent's token): asks the parent for a token
 * newer than it, as a consumer reporting it invalid would. Returns the newer token, or undefined
 * when the parent declined (cooldown, budget) or answered with the same one.
 */
export async function renewedParentToken(client: ParentClient, used: ParentToken, timeoutMs: number): Promise<ParentToken | undefined> {
  try {
    const outcome = await withDeadline(client.refresh(used.id, { staleVersion: used.version }), Math.min(timeoutMs, maxParentRefreshWaitMs), timedOut(used.id));
    if (outcome.token.version <= used.version || outcome.token.expiresAt <= Date.now()) return undefined;
    return { ...used, accessToken: outcome.token.accessToken, version: outcome.token.version };
  } catch (err) {
    throw parentFailure(used.id, err);
  }
}

/** True for a failure in which the derived endpoint refused the parent's token. */
export function isParentTokenRejected(err: unknown): boolean {
  return isHalflifeError<ProviderError>(err, 'ProviderError') && err.parentTokenRejected === true;
}
