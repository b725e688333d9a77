/**
 * Prints one credential's story from a run's evidence (`.halflife/chaos-evidence/<tag>/`): its
 * workflow history events, the provider's log of its token requests and the run's kills, merged
 * in time order, up to a few lines after the first replay.
 *
 *   npx tsx test/chaos/explain.ts .halflife/chaos-evidence/<tag> <credential id> [--replay]
 *
 * With `--replay`, the credential's histories are also replayed with the run's own bundle and keys
 * (a wedge that replays with the same error is deterministic: the workflow code's fault).
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { OidcPeerTokenEvent } from '../peers/oidc-peer';
import { replayHistories } from '../helpers/replay';
import type { StopRecord } from './worker-fleet';

const [dir, id, flag] = process.argv.slice(2);
if (!dir || !id) throw new Error('usage: explain.ts <evidence dir> <credential id> [--replay]');
const runs = JSON.parse(fs.readFileSync(`${dir}/${id}.histories.json`, 'utf8'));
const prov = JSON.parse(fs.readFileSync(`${dir}/provider-events.json`, 'utf8')) as { credentials: { id: string; clientId: string }[]; events: (OidcPeerTokenEvent & { errorDetail?: string; issued?: string })[] };
const kills = JSON.parse(fs.readFileSync(`${dir}/kills.json`, 'utf8')) as StopRecord[];
const cred = prov.credentials.find((c) => c.id === id);
const rows: [number, string][] = [];
for (const r of runs) {
  const h = temporal.api.history.v1.History.decode(Buffer.from(r.historyBase64, 'base64'));
  for (const e of h.events ?? []) {
    const t = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    const type = temporal.api.enums.v1.EventType[e.eventType ?? 0];
    let extra = '';
    if (e.activityTaskScheduledEventAttributes) extra = `${e.activityTaskScheduledEventAttributes.activityType?.name} id=${e.activityTaskScheduledEventAttributes.activityId}`;
    if (e.activityTaskStartedEventAttributes) extra = `attempt=${e.activityTaskStartedEventAttributes.attempt} ${e.activityTaskStartedEventAttributes.identity}`;
    if (e.activityTaskFailedEventAttributes) extra = e.activityTaskFailedEventAttributes.failure?.message ?? '';
    if (e.activityTaskTimedOutEventAttributes) extra = e.activityTaskTimedOutEventAttributes.failure?.message ?? '';
    if (e.workflowTaskFailedEventAttributes) extra = `${e.workflowTaskFailedEventAttributes.cause} ${e.workflowTaskFailedEventAttributes.failure?.message?.slice(0,150)}`;
    if (e.workflowTaskStartedEventAttributes) extra = `${e.workflowTaskStartedEventAttributes.identity}`;
    if (e.workflowTaskTimedOutEventAttributes) extra = `${e.workflowTaskTimedOutEventAttributes.timeoutType}`;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) extra = `${e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name}`;
    if (e.timerStartedEventAttributes) extra = `timer ${e.timerStartedEventAttributes.timerId} ${e.timerStartedEventAttributes.startToFireTimeout?.seconds}s`;
    rows.push([t, `H ${String(e.eventId).padStart(3)} ${type} ${extra}`]);
  }
}
for (const e of prov.events.filter((e) => e.clientId === cred?.clientId)) {
  rows.push([e.receivedAt, `P recv seq=${e.seq} presented=${e.presented} status=${e.status ?? ''} ${e.error ?? ''} ${e.errorDetail ?? ''} replay=${e.replay ?? ''} issued=${e.issued ?? ''} decided=+${(e.decidedAt ?? 0) - e.receivedAt} answered=+${e.answeredAt ? e.answeredAt - e.receivedAt : 'none'} aborted=${e.aborted}`]);
}
const t0 = Math.min(...rows.map((r) => r[0]));
for (const k of kills) if (k.at >= t0 - 1000) rows.push([k.at, `K ${k.signal} ${k.killClass} pid=${k.pid} ${k.selfKill ? 'self' : ''}`]);
rows.sort((a, b) => a[0] - b[0]);
const end = process.env.EXPLAIN_ALL ? -1 : rows.findIndex((r) => r[1].includes("replay=true"));
for (const [t, s] of rows.slice(0, end >= 0 ? end + 8 : rows.length)) console.log(new Date(t).toISOString().slice(11, 23), s);

if (flag === '--replay') {
  process.env.HALFLIFE_TEST_ENV = path.resolve(dir, 'env.json');
  void replayHistories(runs).then((outcomes) => {
    for (const o of outcomes) console.log(`replay ${o.runId}: ${o.error ? `${o.error.name}: ${o.error.message.slice(0, 2000)}` : 'ok'}`);
  });
}
