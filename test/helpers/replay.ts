/** Replaying histories in a child process (see replay-main.ts), and collecting every run of a credential. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ReplayInput, ReplayOutcome } from './replay-main';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

/** Options of `replayHistories`. */
export interface ReplayOptions {
  /** Bundle this workflows module first (a deliberately different workflow, for negative controls). */
  workflowsPath?: string;
  /** A prebuilt bundle other than the test bundle. */
  bundlePath?: string;
  /** A key ring other than the test one (`HALFLIFE_ENCRYPTION_KEYS` format). */
  keys?: string;
}

/** Replays `inputs`; resolves with one outcome per history (an `error` when it did not replay). */
export async function replayHistories(inputs: ReplayInput[], options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-histories-'));
  try {
    const file = path.join(dir, 'histories.json');
    fs.writeFileSync(file, JSON.stringify(inputs));
    const args = ['--import', 'tsx', path.join(__dirname, 'replay-main.ts'), file, ...(options.workflowsPath ? [options.workflowsPath] : [])];
    const env = { ...process.env, ...(options.bundlePath ? { HALFLIFE_REPLAY_BUNDLE: options.bundlePath } : {}), ...(options.keys ? { HALFLIFE_REPLAY_KEYS: options.keys } : {}) };
    const { stdout } = await run(process.execPath, args, { cwd: root, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('REPLAY_RESULTS '));
    if (!line) throw new Error(`the replay printed no results:\n${stdout}`);
    return JSON.parse(line.slice('REPLAY_RESULTS '.length)) as ReplayOutcome[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every run of a workflow, oldest first (following the continue-as-new chain), as replay inputs. */
export async function historiesOf(client: Client, workflowId: string): Promise<ReplayInput[]> {
  const described = await client.workflow.getHandle(workflowId).describe();
  const inputs: ReplayInput[] = [];
  for (let runId: string | undefined = described.raw.workflowExecutionInfo?.firstRunId ?? undefined; runId; ) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    inputs.push({ workflowId, runId, historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64') });
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    if (inputs.length > 100) throw new Error('more than 100 runs');
  }
  return inputs;
}

/** The recorded v0.1.0 workflow bundle, unpacked to a temporary file. */
export function releaseBundle(version: string): string {
  const gz = path.join(root, 'test', 'releases', version, 'workflow-bundle.js.gz');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `halflife-${version}-`)), 'workflow-bundle.js');
  fs.writeFileSync(file, gunzipSync(fs.readFileSync(gz)));
  return file;
}

/** The fixed key ring the release histories were recorded with. */
export const releaseKeys = fs.readFileSync(path.join(root, 'test', 'releases', 'keyring.txt'), 'utf8').trim();
