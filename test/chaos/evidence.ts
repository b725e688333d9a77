/**
 * Evidence of what went wrong, kept after the run (the run's servers are gone by then): for every
 * lost or wedged credential, its workflow histories (replayable with test/helpers/replay.ts) and
 * the provider's log of its token requests, in `.halflife/chaos-evidence/<tag>/`. And the reason a
 * wedged workflow's task keeps failing, read from its history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { credentialWorkflowId } from '../../src/messages';
import { historiesOf } from '../helpers/replay';
import type { TestEnv } from '../helpers/test-env';
import type { OidcPeer } from '../peers/oidc-peer';
import type { ChaosCredential } from './credentials';
import type { ChaosClient } from './stack';

/** Where a run's evidence goes. */
export const evidenceRoot = path.join(__dirname, '..', '..', '.halflife', 'chaos-evidence');

/** The message of the last failed workflow task of the current run of `id`, if any. */
export async function lastTaskFailure(client: ChaosClient, id: string): Promise<string | undefined> {
  const history = await client.temporal.workflow.getHandle(credentialWorkflowId(id)).fetchHistory().catch(() => undefined);
  const failed = [...(history?.events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes);
  const attributes = failed?.workflowTaskFailedEventAttributes;
  if (!attributes) return undefined;
  const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[attributes.cause ?? 0] ?? String(attributes.cause);
  return `${cause}: ${attributes.failure?.message ?? ''}`.slice(0, 400);
}

/**
 * Writes the histories of `ids` and the provider's log of their clients' requests under `<tag>/`,
 * with the run's (test-only) key ring and workflow bundle, so the histories can be replayed later
 * (`HALFLIFE_TEST_ENV=<dir>/env.json`, see explain.ts); resolves with the folder (undefined when
 * nothing was written).
 */
export async function saveEvidence(client: ChaosClient, env: TestEnv, tag: string, ids: readonly string[], creds: readonly ChaosCredential[], peer?: OidcPeer): Promise<string | undefined> {
  if (ids.length === 0) return undefined;
  const dir = path.join(evidenceRoot, tag);
  fs.mkdirSync(dir, { recursive: true });
  const bundle = path.join(dir, 'workflow-bundle.js');
  fs.copyFileSync(env.workflowBundlePath, bundle);
  fs.writeFileSync(path.join(dir, 'env.json'), JSON.stringify({ ...env, workflowBundlePath: bundle }, null, 2), { mode: 0o600 });
  for (const id of new Set(ids)) {
    const histories = await historiesOf(client.temporal, credentialWorkflowId(id)).catch((err: unknown) => ({ error: String(err) }));
    fs.writeFileSync(path.join(dir, `${id}.histories.json`), JSON.stringify(histories));
  }
  if (peer) {
    const clients = new Set(creds.filter((c) => ids.includes(c.id)).map((c) => c.client.clientId));
    const events = (await peer.events()).filter((e) => e.clientId !== undefined && clients.has(e.clientId));
    fs.writeFileSync(path.join(dir, 'provider-events.json'), JSON.stringify({ credentials: creds.filter((c) => ids.includes(c.id)).map((c) => ({ id: c.id, clientId: c.client.clientId, grants: c.grants })), events }, null, 1));
  }
  return dir;
}
