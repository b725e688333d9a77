/**
 * The webhook delivery activity's input and output, shared (as types) with the delivery
 * workflows. A contract with every run still alive: fields are only ever added, as optional.
 */
import type { WebhookEvent } from '../../webhooks/delivery-messages';
import type { AttemptOutcome, AttemptProgress, DeliveryPolicy } from '../../webhooks/retry-schedule';

/** Input of `deliverWebhook`: one attempt to deliver `event` to `subscriptionId`. */
export interface DeliverWebhookInput {
  subscriptionId: string;
  event: WebhookEvent;
  /** The delivery's progress before this attempt (the activity judges whether its attempt is the last, for metrics). */
  progress: Omit<AttemptProgress, 'firstAttemptAt'> & { firstAttemptAt?: number };
  policy: DeliveryPolicy;
  /** A test delivery. */
  test?: boolean;
}

/** The activities of webhook deliveries. */
export interface WebhookActivities {
  /**
   * One attempt: looks the subscription up (its secrets are never in the input), signs the body
   * with every active secret, POSTs it through the egress policy and classifies the answer. A
   * receiver's failure is an outcome, not an error; it throws only when it cannot find out.
   */
  deliverWebhook(input: DeliverWebhookInput): Promise<AttemptOutcome>;
}
