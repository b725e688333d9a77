/**
 * The webhook registry: one long-running workflow per deployment, id
 * `webhooks:registry:<task queue>` (../../webhooks/messages.ts). It holds the subscriptions made
 * through the API and the health of every subscription; its handlers only change the state, and
 * the workflow itself only waits until the history should be cut, then continues as new with the
 * state (after every handler has finished).
 */
import { allHandlersFinished, condition, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  addWebhookUpdate,
  deliveryReportSignal,
  enableWebhookUpdate,
  removeWebhookUpdate,
  rotateWebhookSecretUpdate,
  webhookIdPattern,
  webhookListingQuery,
  webhookTargetsQuery,
  type RegistryInput,
} from '../../webhooks/messages';
import { addSubscription, applyReports, enable, initialRegistryState, listing, removeSubscription, rotateSecret, targets, validateAdd, validateExisting } from './registry-state';

/** History length past which a run continues as new even before the server suggests it. */
export const registryHistoryLimit = 3_000;

/** Runs the registry forever (continuing as new to keep its history bounded). */
export async function webhookRegistryWorkflow(input: RegistryInput = {}): Promise<void> {
  const state = input.state ?? initialRegistryState();
  setHandler(webhookListingQuery, () => listing(state, Date.now()));
  setHandler(webhookTargetsQuery, () => targets(state, Date.now()));
  setHandler(addWebhookUpdate, (sub) => addSubscription(state, sub, Date.now()), { validator: (sub) => validateAdd(state, sub) });
  setHandler(removeWebhookUpdate, (req) => removeSubscription(state, req.id, Date.now()), { validator: (req) => validateExisting(state, req) });
  setHandler(rotateWebhookSecretUpdate, (req) => rotateSecret(state, req, Date.now()), { validator: (req) => validateExisting(state, req) });
  setHandler(enableWebhookUpdate, (req) => enable(state, req.id, Date.now()), {
    validator: (req) => {
      if (typeof req?.id !== 'string' || !webhookIdPattern.test(req.id)) throw new Error('not a webhook id');
    },
  });
  setHandler(deliveryReportSignal, (reports) => applyReports(state, Array.isArray(reports) ? reports : [], Date.now()));

  const historyLimit = input.historyLimit ?? registryHistoryLimit;
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit);
  await condition(allHandlersFinished);
  const continueAsNew = makeContinueAsNewFunc<typeof webhookRegistryWorkflow>();
  await continueAsNew({ state, ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}) });
}
