/**
 * Publication and hand-over in one local activity. A rotation changes what Redis holds and raises
 * `credential.rotated` at once; as two local activities that cost the run two markers, two
 * activations and the two waits one after the other. Here both run concurrently, and a part that
 * throws is answered as `failed` (logged here, with secrets scrubbed) so the run retries only that
 * part, on its own backoff, with the separate activities.
 */
import { log } from '@temporalio/activity';
import { scrubKnownSecrets } from '../secrets/scrub';
import type { NotifyCredentialInput, NotifyResult, PublishAndNotifyInput, PublishAndNotifyResult, PublishCredentialInput, PublishResult } from './contracts';

/** Creates the `publishAndNotify` activity from the two it combines. */
export function createPublishAndNotify(
  publish: (input: PublishCredentialInput) => Promise<PublishResult>,
  notify: (input: NotifyCredentialInput) => Promise<NotifyResult>,
  warn: (message: string, meta: Record<string, unknown>) => void = (message, meta) => log.warn(message, meta),
): (input: PublishAndNotifyInput) => Promise<PublishAndNotifyResult> {
  return async function publishAndNotify({ publication, notification }) {
    const [published, notified] = await Promise.allSettled([publish(publication), notify(notification)]);
    const failed = (part: string, reason: unknown): 'failed' => {
      const message = scrubKnownSecrets(reason instanceof Error ? reason.message : String(reason), [publication.record.accessToken]);
      warn(`${part} failed`, { credentialId: publication.credentialId, error: (reason as Error | null)?.name ?? 'Error', message });
      return 'failed';
    };
    return {
      published: published.status === 'fulfilled' ? published.value : failed('publishing to Redis', published.reason),
      notified: notified.status === 'fulfilled' ? notified.value : failed('handing lifecycle events to the notifier', notified.reason),
    };
  };
}
