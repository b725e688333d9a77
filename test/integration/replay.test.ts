/**
 * Determinism: the histories of a credential that went through scheduled cycles, a forced refresh,
 * a transient failure, a rejected grant with re-authorization, continue-as-new and revocation replay
 * without nondeterminism against the current workflow code. A deliberately different workflow must
 * fail the same replay (so the check can fail at all).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { temporal } from '@temporalio/proto';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import type { ReplayInput, ReplayOutcome } from '../helpers/replay-main';
import { uniqueId } from '../helpers/test-env';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

/** Replays `inputs` in a child process (see replay-main.ts) against the test bundle or `workflowsPath`. */
async function replay(inputs: ReplayInput[], workflowsPath?: string): Promise<ReplayOutcome[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-histories-'));
  try {
    const file = path.join(dir, 'histories.json');
    fs.writeFileSync(file, JSON.stringify(inputs));
    const args = ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'replay-main.ts'), file, ...(workflowsPath ? [workflowsPath] : [])];
    const { stdout } = await run(process.execPath, args, { cwd: root, env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 90_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('REPLAY_RESULTS '));
    if (!line) throw new Error(`the replay printed no results:\n${stdout}`);
    return JSON.parse(line.slice('REPLAY_RESULTS '.length)) as ReplayOutcome[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('workflow replay', () => {
  const taskQueue = uniqueId('tq-replay');
  const stack = useOAuth2Stack(taskQueue, { expiresIn: 2 });

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
    const firstRunId = (await stack.client.temporal.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunId).toBeTruthy();
    const inputs: ReplayInput[] = [];
    const histories: temporal.api.history.v1.IHistory[] = [];
    for (let runId: string | undefined = firstRunId ?? undefined; runId; ) {
      const history = await stack.client.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      inputs.push({ workflowId, runId, historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64') });
      histories.push(history);
      const last = history.events?.[history.events.length - 1];
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      expect(inputs.length).toBeLessThan(50);
    }
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
