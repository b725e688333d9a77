/**
 * The callback route's access to push-receiving credentials, through Temporal: the keys that open
 * a push (the `pushKeys` query) and the delivery of its ticket as the credential's grant material
 * (`reauthorize` with `keepToken`: the grant path every other grant takes, kept for the next
 * refresh while the current token is valid). The delivery returns once the update is accepted:
 * from then on the ticket is in the workflow's history (encrypted), so the platform can be told
 * `success` within its 5-second limit even when the delivery starts a refresh.
 */
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { credentialWorkflowId, pushKeysQuery, reauthorizeUpdate } from '../messages';
import { translateError } from '../client/errors-map';
import { withQueryRetries, withUpdateRetries } from '../client/update-calls';
import type { PushKeys } from './push-kinds';

/** What the push callback route needs. */
export interface PushClient {
  /** The keys of credential `id`, or null when it receives no pushes; `CredentialNotFoundError` when there is none. */
  pushKeys(id: string): Promise<PushKeys | null>;
  /** Hands `ticket` to credential `id` as its grant; resolves once it is durable. */
  deliverTicket(id: string, ticket: string): Promise<void>;
}

/** Options of `createPushClient`. */
export interface PushClientOptions {
  /** Longest time a query or the delivery is retried (the platforms want an answer within 5 s). @default 4000 */
  deadlineMs?: number;
}

/** A `PushClient` over a Temporal client (a TokenClient's `temporal`). */
export function createPushClient(temporal: Client, options: PushClientOptions = {}): PushClient {
  const deadlineMs = options.deadlineMs ?? 4_000;
  const handle = (id: string) => temporal.workflow.getHandle(credentialWorkflowId(id));
  return {
    async pushKeys(id) {
      try {
        return await withQueryRetries(() => handle(id).query(pushKeysQuery), deadlineMs);
      } catch (err) {
        throw translateError(err, id);
      }
    },
    async deliverTicket(id, ticket) {
      try {
        await withUpdateRetries(
          () => handle(id).startUpdate(reauthorizeUpdate, { args: [{ grant: { refreshToken: ticket }, keepToken: true }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
          { deadlineMs },
        );
      } catch (err) {
        throw translateError(err, id);
      }
    },
  };
}
