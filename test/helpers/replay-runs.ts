/**
 * Replaying a workflow's runs in a child process (see replay-main.ts): the histories of every run
 * of a workflow, oldest first (following its continue-as-new chain), and their replay against the
 * test bundle or another workflow module.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ReplayInput, ReplayOutcome } from './replay-main';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

/** Replays `inputs` in a child process against the test bundle or `workflowsPath`. */
export async function replay(inputs: ReplayInput[], workflowsPath?: string): Promise<ReplayOutcome[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-histories-'));
  try {
    const file = path.join(dir, 'histories.json');
    fs.writeFileSync(file, JSON.stringify(inputs));
    const args = ['--import', 'tsx', path.join(__dirname, 'replay-main.ts'), file, ...(workflowsPath ? [workflowsPath] : [])];
    const { stdout } = await run(process.execPath, args, { cwd: root, env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 90_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('REPLAY_RESULTS '));
    if (!line) throw new Error(`the replay printed no results:\n${stdout}`);
    return JSON.parse(line.slice('REPLAY_RESULTS '.length)) as ReplayOutcome[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every run of `workflowId`, oldest first, as replay inputs, with the histories themselves. */
export async function runsOf(client: Client, workflowId: string): Promise<{ inputs: ReplayInput[]; histories: temporal.api.history.v1.IHistory[] }> {
  const firstRunId = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId;
  if (!firstRunId) throw new Error(`${workflowId} has no first run`);
  const inputs: ReplayInput[] = [];
  const histories: temporal.api.history.v1.IHistory[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    inputs.push({ workflowId, runId, historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64') });
    histories.push(history);
    const last: temporal.api.history.v1.IHistoryEvent | undefined = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    if (inputs.length > 50) throw new Error(`${workflowId} has more than 50 runs`);
  }
  return { inputs, histories };
}
