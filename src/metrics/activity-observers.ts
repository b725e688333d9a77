/**
 * The worker's metrics seen from the activities: wrappers that time and classify each refresh
 * attempt and count each publication, around the activity implementations (which stay unaware of
 * metrics but for counting the requests they send: `RefreshDeps.metrics`).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PublishCredentialInput, PublishResult, RefreshCredentialInput, RefreshCredentialResult } from '../activities/contracts';
import { providerFailureType, type ProviderFailureDetails } from '../failure-types';
import type { WorkerMetrics } from './worker-metrics';

type Refresh = (input: RefreshCredentialInput) => Promise<RefreshCredentialResult>;
type Publish = (input: PublishCredentialInput) => Promise<PublishResult>;

/** The classified details of a refresh activity's failure, when it is a provider failure. */
function providerDetails(err: unknown): ProviderFailureDetails | undefined {
  if (!(err instanceof ApplicationFailure) || err.type !== providerFailureType) return undefined;
  return err.details?.[0] as ProviderFailureDetails | undefined;
}

/** `refresh` with every attempt recorded in `metrics`: outcome, duration, failure code, recovery. */
export function observeRefreshes(refresh: Refresh, metrics: WorkerMetrics | undefined): Refresh {
  if (!metrics) return refresh;
  return async function refreshCredential(input) {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await refresh(input);
      const same = input.current !== undefined && result.token.accessToken === input.current.accessToken;
      metrics.observeRefresh(input.provider, same ? 'same_token' : 'new_token', seconds());
      if (result.recovered) metrics.observeRecovery(input.provider, result.recovered);
      return result;
    } catch (err) {
      const details = providerDetails(err);
      metrics.observeRefresh(input.provider, details?.kind ?? 'transient', seconds(), details?.code ?? 'internal_error');
      throw err;
    }
  };
}

/** `publish` with every publication counted in `metrics` (`failed` when it throws). */
export function observePublications(publish: Publish, metrics: WorkerMetrics | undefined): Publish {
  if (!metrics) return publish;
  return async function publishCredential(input) {
    try {
      const result = await publish(input);
      metrics.observePublication(result);
      return result;
    } catch (err) {
      metrics.observePublication('failed');
      throw err;
    }
  };
}
