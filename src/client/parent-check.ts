/**
 * Registration of a derived credential checks its parent before any workflow starts: it must be
 * a running credential of a kind the provider derives from (`Provider.derivedFrom`), so a typo
 * in `parent` is an `InvalidConfigError` naming the field, not a credential failing later.
 */
import type { CredentialDescription } from '../credential';
import { InvalidConfigError, isHalflifeError } from '../errors';
import { getProvider } from '../providers/registry';
import type { CredentialSpec } from '../workflows/input';

/** Throws `InvalidConfigError('parent', …)` unless `spec.parent` names a live credential of a kind `spec.provider` derives from. */
export async function checkParent(describe: (id: string) => Promise<CredentialDescription>, spec: CredentialSpec): Promise<void> {
  const parent = spec.parent;
  if (parent === undefined) return;
  const missing = () => new InvalidConfigError('parent', `names no registered credential (${parent}): register the parent first`);
  const found = await describe(parent).catch((err: unknown) => {
    if (isHalflifeError(err, 'CredentialNotFoundError')) throw missing();
    throw err;
  });
  if (found.status === 'revoked') throw missing();
  const kinds = getProvider(spec.provider).derivedFrom ?? [];
  if (!kinds.includes(found.provider)) throw new InvalidConfigError('parent', `must be a ${kinds.join(' or ')} credential; ${parent} is a ${found.provider} one`);
}
