/**
 * Determinism: the histories of a credential that went through scheduled cycles, a forced refresh,
 * a transient failure, a rejected grant with re-authorization, continue-as-new and revocation replay
 * without nondeterminism against the current workflow code. A deliberately different workflow must
 * fail the same replay (so the check can fail at all).
 */
import path from 'node:path';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { replay, runsOf } from '../helpers/replay-runs';
import { uniqueId } from '../helpers/test-env';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { waitFor } from '../helpers/wait';

describe('workflow replay', () => {
  const taskQueue = uniqueId('tq-replay');
  const stack = useOAuth2Stack(taskQueue, { expiresIn: 3 });

  it('every run of a busy credential replays deterministically; a different workflow does not', async () => {
    const cred = await registerOAuth2(stack.client, stack.fake, { maxCyclesPerRun: 3 });
    const workflowId = credentialWorkflowId(cred.id);

    // Scheduled cycles.
    await waitFor('two scheduled refreshes', async () => (await stack.client.describe(cred.id)).version >= cred.token.version + 2);
    // A forced refresh.
    const now = await stack.client.getToken(cred.id);
    const forced = await stack.client.refresh(cred.id, { staleVersion: now.version });
    expect(forced.token.version).toBeGreaterThan(now.version);
    // A transient failure, retried.
    const failuresBefore = (await stack.client.describe(cred.id)).counts.failures;
    stack.fake.failNext(1, { status: 503 });
    const afterFailure = await waitFor('a failed attempt followed by a new token', async () => {
      const d = await stack.client.describe(cred.id);
      return d.counts.failures > failuresBefore && d.version > forced.token.version && d.status === 'active' ? d : undefined;
    });
    // A rejected grant, then re-authorization.
    stack.fake.rejectNextWith(1, 'invalid_grant');
    await waitFor('reauth_required', async () => (await stack.client.describe(cred.id)).status === 'reauth_required');
    const reauthorized = await stack.client.reauthorize(cred.id, { grant: { refreshToken: stack.fake.issueRefreshToken(cred.clientId) } });
    expect(reauthorized.version).toBeGreaterThan(afterFailure.version);
    // Continue-as-new (every 3 cycles), twice.
    await waitFor('two continue-as-new', async () => (await stack.client.describe(cred.id)).counts.runs >= 3, { timeoutMs: 60_000 });
    await stack.client.revoke(cred.id);

    // Every run, oldest first: follow the continue-as-new chain from the first run.
    const { inputs, histories } = await runsOf(stack.client.temporal, workflowId);
    expect(inputs.length).toBeGreaterThanOrEqual(3);
    expect(histories.at(-1)?.events?.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy(); // the revoked run completed

    const outcomes = await replay(inputs);
    expect(outcomes.map((o) => o.runId)).toEqual(inputs.map((i) => i.runId));
    expect(outcomes.filter((o) => o.error)).toEqual([]);

    // Negative control: the same histories against a workflow that issues different commands.
    const control = await replay(inputs, path.join(__dirname, '..', 'helpers', 'replay-nondeterministic-workflow.ts'));
    expect(control.map((o) => o.error?.name)).toEqual(inputs.map(() => 'DeterminismViolationError'));
  });
});
