/**
 * Replays workflow histories in a process of its own (a replay worker inside jest hits the SDK's
 * runtime and module-registry pitfalls). Usage: `replay-main.ts <histories.json> [workflowsPath]`
 * where the file holds `[{ workflowId, runId, historyBase64 }]` (the binary History protobuf, base64).
 * Without `workflowsPath` the prebuilt test bundle (HALFLIFE_TEST_ENV) is used; with it, that module
 * is bundled first; HALFLIFE_REPLAY_BUNDLE names another prebuilt bundle and HALFLIFE_REPLAY_KEYS
 * another key ring (recorded release histories). Prints one line `REPLAY_RESULTS <json>`: `[{ workflowId, runId, error? }]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createWorkerDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { bundleWorkflows } from '../../scripts/bundle-workflows';
import { testEnv } from './test-env';

/** One history to replay, as the test writes it. */
export interface ReplayInput {
  workflowId: string;
  runId: string;
  /** The History protobuf, binary encoded, base64 (JSON conversion trips over jest's module registry). */
  historyBase64: string;
}

/** One replay outcome, as this script prints it. */
export interface ReplayOutcome {
  workflowId: string;
  runId: string;
  /** Error class name and message when the replay failed. */
  error?: { name: string; message: string };
}

async function main(): Promise<void> {
  const [file, workflowsPath] = process.argv.slice(2);
  if (!file) throw new Error('usage: replay-main.ts <histories.json> [workflowsPath]');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = testEnv();
  const inputs = JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayInput[];
  const bundlePath = workflowsPath
    ? await bundleWorkflows(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-replay-')), 'bundle.js'), { workflowsPath })
    : (process.env.HALFLIFE_REPLAY_BUNDLE ?? env.workflowBundlePath);
  const results = Worker.runReplayHistories(
    {
      workflowBundle: { codePath: bundlePath },
      dataConverter: createWorkerDataConverter(parseKeyring(process.env.HALFLIFE_REPLAY_KEYS ?? env.encryptionKeys)),
      replayName: 'halflife-replay-test',
    },
    inputs.map((input) => ({ workflowId: input.workflowId, history: temporal.api.history.v1.History.decode(Buffer.from(input.historyBase64, 'base64')) })),
  );
  const outcomes: ReplayOutcome[] = [];
  for await (const result of results) {
    outcomes.push({
      workflowId: result.workflowId,
      runId: result.runId,
      ...(result.error ? { error: { name: result.error.name, message: result.error.message } } : {}),
    });
  }
  process.stdout.write(`REPLAY_RESULTS ${JSON.stringify(outcomes)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`replay failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
