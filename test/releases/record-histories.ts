/**
 * Records the workflow histories of a release, for the replay corpus (`test/releases/<version>/`).
 *
 * Usage: `npx tsx test/releases/record-histories.ts <version> [workflow-bundle.js]`. Runs the
 * scenarios below on a fresh in-memory dev server with a worker on the given bundle (default: the
 * current source) and writes every run of every credential as `histories/<scenario>-<id>-<n>.json`
 * (`{ workflowId, runId, events, historyBase64 }`, the History protobuf in binary, base64).
 * Payloads are encrypted with the fixed test key ring in `test/releases/keyring.txt` (a test key,
 * not a secret), so CI can decode and replay them later. Run it at each release, with the
 * release's own code checked out, and commit the output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { createDataConverter, createWorkerDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { startFakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { startFakeWechatServer } from '../../src/fakes/wechat-server';
import { credentialWorkflowId } from '../../src/messages';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { createActivities } from '../../src/activities';
import { getProvider } from '../../src/providers/registry';
import { scenarios, type Scenario } from './scenarios';

const keyring = fs.readFileSync(path.join(__dirname, 'keyring.txt'), 'utf8').trim();

async function main(): Promise<void> {
  const [version, bundle] = process.argv.slice(2);
  if (!version) throw new Error('usage: record-histories.ts <version> [workflow-bundle.js]');
  const out = path.join(__dirname, version, 'histories');
  fs.mkdirSync(out, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ port: await freePort(), uiPort: null, searchAttributes: { ...requiredSearchAttributes }, log: () => undefined });
  const oauth2 = await startFakeOAuth2Server({ expiresIn: 2 });
  const wechat = await startFakeWechatServer({});
  const taskQueue = `record-${version}`;
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection,
    namespace: server.namespace,
    taskQueue,
    ...(bundle ? { workflowBundle: { codePath: path.resolve(bundle) } } : { workflowsPath: require.resolve('../../src/workflows') }),
    activities: createActivities({ provider: getProvider }),
    dataConverter: createWorkerDataConverter(parseKeyring(keyring)),
  });
  const client = new TokenClient({
    connection: await connectTemporal({ address: server.address }),
    namespace: server.namespace,
    taskQueue,
    dataConverter: createDataConverter(parseKeyring(keyring)),
  });
  let written = 0;
  await worker.runUntil(async () => {
    for (const scenario of scenarios) {
      process.stderr.write(`[record] ${scenario.name}\n`);
      const ids = await scenario.run({ client, oauth2, wechat });
      for (const id of ids) written += await writeRuns(client, scenario, id, out);
    }
  });
  process.stderr.write(`[record] wrote ${written} histories to ${out}\n`);
  await Promise.all([oauth2.close(), wechat.close()]);
  await connection.close();
  await server.stop();
}

/** Writes every run of credential `id`, oldest first, following the continue-as-new chain. */
async function writeRuns(client: TokenClient, scenario: Scenario, id: string, out: string): Promise<number> {
  const workflowId = credentialWorkflowId(id);
  const described = await client.temporal.workflow.getHandle(workflowId).describe();
  let runId: string | undefined = described.raw.workflowExecutionInfo?.firstRunId ?? undefined;
  let n = 0;
  while (runId) {
    const history = await client.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = path.join(out, `${scenario.name}-${id.split('-')[0]}-${++n}.json`);
    const historyBase64 = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64');
    fs.writeFileSync(file, `${JSON.stringify({ workflowId, runId, events: history.events?.length ?? 0, historyBase64 }, null, 1)}\n`);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return n;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`record failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
