/**
 * Registration as one update-with-start: the workflow is started if it does not run yet (by
 * function reference, with a small `{ spec }` input), and the `register` update tells it what to
 * do with this registration. A registration it already applied (same fingerprint) is a no-op, so a
 * retried PUT never replays a refresh token.
 *
 * Every try of one registration carries the same update id: when a try's answer is lost (its
 * worker died after applying it), the next try gets that same answer from the server (`created`),
 * not the `unchanged` a second registration would get.
 */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { credentialWorkflowId, registerUpdate, type RegisterOutcome, type RegisterRequest } from '../messages';
import { expiresAtSearchAttribute, providerSearchAttribute, statusSearchAttribute } from '../search-attributes';
import { credentialWorkflow } from '../workflows/credential-workflow';
import { credentialStaticDetails } from '../workflows/operator-view';
import type { CredentialSpec } from '../workflows/input';
import { explainFailure } from './diagnose';
import { registrationFingerprints } from './fingerprint';
import { withUpdateRetries } from './update-calls';

/** The `register` update's argument for `spec`. */
export function registrationRequest(spec: CredentialSpec, mode: RegisterRequest['mode']): RegisterRequest {
  return { mode, ...registrationFingerprints(spec), provider: spec.provider, config: spec.config, settings: spec.settings ?? {}, grant: spec.grant, ...(spec.policy ? { policy: spec.policy } : {}), ...(spec.connect ? { connect: spec.connect } : {}), ...(spec.parent !== undefined ? { parent: spec.parent } : {}), ...(spec.clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt: spec.clientSecretExpiresAt } : {}) };
}

/** Where a registration is sent, and until when (epoch ms) it retries a workflow that cannot take updates. */
export interface RegistrationTarget {
  taskQueue: string;
  deadline: number;
  /** The update id every try of this registration carries. */
  updateId: string;
}

/** Sends the registration (starting the workflow if needed); retries while the workflow cannot take updates, until `target.deadline`. */
export async function sendRegistration(client: Client, target: RegistrationTarget, spec: CredentialSpec, request: RegisterRequest): Promise<RegisterOutcome> {
  const fresh = spec.token !== undefined && spec.token.expiresAt > Date.now();
  try {
    return await withUpdateRetries(() => {
      const start = new WithStartWorkflowOperation(credentialWorkflow, {
        workflowId: credentialWorkflowId(spec.id),
        taskQueue: target.taskQueue,
        args: [{ spec, fingerprint: request.fingerprint, grantFingerprint: request.grantFingerprint }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: statusSearchAttribute, value: fresh ? 'active' : 'refreshing' },
          { key: providerSearchAttribute, value: spec.provider },
          ...(spec.token ? [{ key: expiresAtSearchAttribute, value: new Date(spec.token.expiresAt) }] : []),
        ],
        staticSummary: `${spec.provider} credential ${spec.id}`,
        staticDetails: credentialStaticDetails(spec.provider, spec.id, spec.settings ?? {}),
      });
      return client.workflow.executeUpdateWithStart(registerUpdate, { args: [request], updateId: target.updateId, startWorkflowOperation: start });
    }, { deadlineMs: Math.max(1, target.deadline - Date.now()) });
  } catch (err) {
    throw await explainFailure(client, target.taskQueue, spec.id, err);
  }
}
