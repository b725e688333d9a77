/**
 * A fresh connect link for a credential that a connect link created, made when it enters
 * `reauth_required`: describe (admins only) and the `reauth_required` notification carry it, so a
 * person can re-connect it with one click. One link per rejection; a worker that cannot make links
 * (no `HALFLIFE_PUBLIC_URL`) leaves none.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { ConnectActivities } from '../activities/connect/contracts';
import type { CredentialState } from './state';

const links = proxyActivities<ConnectActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second', nonRetryableErrorTypes: ['HalflifeConnectUnavailable'] },
  summary: 'make a fresh connect link',
});

/** True when the credential needs a link for its current rejection. */
export function connectLinkDue(state: CredentialState): boolean {
  const rejectedAt = state.lastError?.at;
  return state.status === 'reauth_required' && state.connect !== undefined && rejectedAt !== undefined && state.connectLink?.forErrorAt !== rejectedAt;
}

/** Makes the link (or notes that none could be made, so it is not asked again for this rejection). */
export async function makeConnectLink(state: CredentialState): Promise<void> {
  const forErrorAt = state.lastError?.at ?? 0;
  if (!state.connect) return;
  try {
    const link = await links.createConnectLink({ credentialId: state.id, config: state.config, connect: state.connect, reason: 'reauth_required' });
    state.connectLink = { url: link.url, expiresAt: link.expiresAt, forErrorAt };
  } catch (err) {
    log.warn('no connect link could be made', { credentialId: state.id, error: (err as Error).message });
    state.connectLink = { url: '', expiresAt: 0, forErrorAt };
  }
}
