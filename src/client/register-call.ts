/**
 * Registration as one update-with-start: the workflow is started if it does not run yet (by
 * function reference, with a small `{ spec }` input), and the `register` update tells it what to
 * do with this registration. A registration it already applied (same fingerprint) is a no-op, so a
 * retried PUT never replays a refresh token.
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

/** Sends the registration (starting the workflow if needed); retries while the workflow cannot take updates. */
export async function sendRegistration(client: Client, options: { taskQueue: string; deadlineMs: number }, spec: CredentialSpec, request: RegisterRequest): Promise<RegisterOutcome> {
  const fresh = spec.token !== undefined && spec.token.expiresAt > Date.now();
  try {
    return await withUpdateRetries(() => {
      const start = new WithStartWorkflowOperation(credentialWorkflow, {
        workflowId: credentialWorkflowId(spec.id),
        taskQueue: options.taskQueue,
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
      return client.workflow.executeUpdateWithStart(registerUpdate, { args: [request], startWorkflowOperation: start });
    }, { deadlineMs: options.deadlineMs });
  } catch (err) {
    throw await explainFailure(client, options.taskQueue, spec.id, err);
  }
}
