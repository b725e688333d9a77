/**
 * What a refresh cycle costs the Temporal server, read from a sample of credential histories (the
 * current run of each): events per run, events per refresh cycle (the median distance between two
 * consecutive `refreshCredential` activities), the event types of one cycle, and the workflow
 * task failures and timeouts (a sticky queue's schedule-to-start timeout shows as a timed-out task).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { credentialWorkflowId } from '../../src/messages';
import { percentile } from '../measure';

const EventType = temporal.api.enums.v1.EventType;
const TimeoutType = temporal.api.enums.v1.TimeoutType;

/** Where a scheduled refresh's time goes, per fired timer of the sampled histories (ms): p50 / p99. */
export interface DelayBreakdown {
  /** The workflow computes its timer from the start of its task, the server starts it at the task's completion: that difference. */
  timerStartShift: [number, number];
  /** Timer fired − (timer started + its duration): the server's timer queue. */
  timerFireDelay: [number, number];
  /** Refresh activity started − timer fired: the workflow task that follows and the activity's dispatch. */
  firedToActivityStart: [number, number];
}

/** Figures over the sampled histories. */
export interface HistoryFigures {
  sampled: number;
  /** Median events in the current run. */
  eventsPerRun: number;
  /** Median events between two consecutive refresh activities. */
  eventsPerCycle?: number;
  /** Event types (short names) of one cycle of the first history that has two, with counts. */
  cycleMix: Record<string, number>;
  /** Over all sampled histories. */
  workflowTaskFailed: number;
  workflowTaskTimedOut: number;
  /** Of the timed-out ones: schedule-to-start (a sticky queue whose worker did not take it in time). */
  stickyTimeouts: number;
  /** Refresh activities started more than once (retries). */
  activityRetries: number;
  delays: DelayBreakdown;
}

type Time = { seconds?: unknown; nanos?: number | null } | null | undefined;
const ms = (t: Time) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN);

function shortName(type: number | null | undefined): string {
  const name = EventType[type ?? 0] ?? String(type);
  return name.replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Reads the histories of `ids` (credential ids), a few at a time. */
export async function sampleHistories(client: Client, ids: string[], concurrency = 4): Promise<HistoryFigures> {
  const perRun: number[] = [];
  const perCycle: number[] = [];
  let cycleMix: Record<string, number> = {};
  const totals = { workflowTaskFailed: 0, workflowTaskTimedOut: 0, stickyTimeouts: 0, activityRetries: 0 };
  const [shift, fire, dispatch] = [[] as number[], [] as number[], [] as number[]];
  const queue = [...ids];
  const one = async (id: string) => {
    const history = await client.workflow.getHandle(credentialWorkflowId(id)).fetchHistory();
    const events = history.events ?? [];
    perRun.push(events.length);
    const refreshAt: number[] = [];
    events.forEach((e, i) => {
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'refreshCredential') refreshAt.push(i);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) totals.workflowTaskFailed++;
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
        totals.workflowTaskTimedOut++;
        if (e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) totals.stickyTimeouts++;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1) totals.activityRetries++;
    });
    let taskStartedAt = Number.NaN;
    const timers = new Map<string, { startedAt: number; durationMs: number }>();
    let firedAt: number | undefined;
    for (const e of events) {
      const at = ms(e.eventTime);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) taskStartedAt = at;
      const started = e.timerStartedEventAttributes;
      if (started?.timerId) {
        timers.set(started.timerId, { startedAt: at, durationMs: ms(started.startToFireTimeout) });
        shift.push(at - taskStartedAt);
      }
      const timer = e.timerFiredEventAttributes?.timerId ? timers.get(e.timerFiredEventAttributes.timerId) : undefined;
      if (timer) {
        fire.push(at - (timer.startedAt + timer.durationMs));
        firedAt = at;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && firedAt !== undefined) {
        dispatch.push(at - firedAt);
        firedAt = undefined;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name !== 'refreshCredential') firedAt = undefined;
    }
    for (let k = 1; k < refreshAt.length; k++) perCycle.push((refreshAt[k] as number) - (refreshAt[k - 1] as number));
    if (Object.keys(cycleMix).length === 0 && refreshAt.length >= 2) {
      const mix: Record<string, number> = {};
      for (const e of events.slice(refreshAt[refreshAt.length - 2], refreshAt[refreshAt.length - 1])) mix[shortName(e.eventType)] = (mix[shortName(e.eventType)] ?? 0) + 1;
      cycleMix = mix;
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await one(id).catch(() => undefined);
    }),
  );
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const p50p99 = (xs: number[]): [number, number] => {
    const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return [Math.round(percentile(sorted, 50) || 0), Math.round(percentile(sorted, 99) || 0)];
  };
  return {
    sampled: perRun.length,
    eventsPerRun: median(perRun),
    ...(perCycle.length ? { eventsPerCycle: median(perCycle) } : {}),
    cycleMix,
    ...totals,
    delays: { timerStartShift: p50p99(shift), timerFireDelay: p50p99(fire), firedToActivityStart: p50p99(dispatch) },
  };
}
