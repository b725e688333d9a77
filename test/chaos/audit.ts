/**
 * The judgement after a scenario: which credentials were lost and why (matched against the kills
 * through the provider's own request log), which workflows are wedged, how long the runs' histories
 * got, and waiting until every credential has recovered.
 */
import { isGrpcServiceError } from '@temporalio/client';
import type { CredentialDescription } from '../../src/credential';
import { credentialWorkflowId, describeQuery } from '../../src/messages';
import type { OidcPeer, OidcPeerTokenEvent } from '../peers/oidc-peer';
import type { ChaosCredential } from './credentials';
import type { AnswerWatch } from './answer-watch';
import { lastTaskFailure } from './evidence';
import { pause } from './figures';
import type { ChaosClient } from './stack';
import type { KillClass, StopRecord } from './worker-fleet';

/** One lost grant and the kill that lost it. */
export interface Loss {
  credentialId: string;
  grantId: string;
  /** `in_flight`: a SIGKILL landed between the request reaching the provider and its answer being written; else the class of the kill before the replay, or `no_kill`. */
  cause: 'in_flight' | 'after_answer' | 'no_kill';
  killClass?: KillClass;
  /** When that kill was sent (epoch ms). */
  killAt?: number;
  /** When the provider received the request whose answer was lost (epoch ms). */
  requestAt?: number;
  /** Kill instant minus the instant the provider finished writing the answer that was lost (ms; negative: in flight). */
  gapMs?: number;
  /** After the provider wrote the answer: whether the worker had logged it to the Redis write-ahead log before the kill (`absent`: it never read it, so the loss counts as in flight). */
  writeAhead?: 'present' | 'absent';
  /** The credential's last error code (`invalid_grant_after_crash` when it knows). */
  lastErrorCode?: string;
}

/** Losses of a scenario. */
export interface LossFigures {
  /** Grants lost other than in flight (product losses). */
  lost: number;
  /** Grants lost to a kill while the request was in flight to the strict provider (the one expected loss). */
  lostInFlight: number;
  losses: Loss[];
  /** Product losses by kill class. */
  lostByKillClass: Record<string, number>;
  lostInFlightByKillClass: Record<string, number>;
}

/**
 * True when a request the provider received at `receivedAt`, after kill `k`, can only have been sent
 * by the killed worker before it died: no other worker was running and the next one was not ready
 * yet. (A busy provider reads a request some time after it was sent; the kill was then in flight.)
 */
function sentByTheDead(k: StopRecord, receivedAt: number): boolean {
  return k.othersLive === 0 && (k.nextReadyAt === undefined || receivedAt < k.nextReadyAt);
}

/** Whether the grant `grantId` of `cred` was lost, and to what. */
function classify(cred: ChaosCredential, grantId: string, events: OidcPeerTokenEvent[], kills: readonly StopRecord[]): Omit<Loss, 'lastErrorCode'> {
  const mine = events.filter((e) => e.grantId === grantId);
  const replay = mine.find((e) => e.replay === true);
  const original = replay ? mine.find((e) => e !== replay && e.presented === replay.presented && e.seq < replay.seq) : undefined;
  if (replay && original) {
    const inFlight = kills.find((k) => k.signal === 'SIGKILL' && (k.at >= original.receivedAt ? original.answeredAt === undefined || original.aborted || k.at < original.answeredAt : sentByTheDead(k, original.receivedAt)));
    if (inFlight) return { credentialId: cred.id, grantId, cause: 'in_flight', killClass: inFlight.killClass, killAt: inFlight.at, ...(original.answeredAt !== undefined ? { gapMs: inFlight.at - original.answeredAt } : {}) };
    // The first kill after the request: the one that ended the attempt that had the answer.
    const before = kills.find((k) => k.at >= original.receivedAt && k.at <= replay.receivedAt);
    if (before) return { credentialId: cred.id, grantId, cause: 'after_answer', killClass: before.killClass, killAt: before.at, requestAt: original.receivedAt, ...(original.answeredAt !== undefined ? { gapMs: before.at - original.answeredAt } : {}) };
  }
  return { credentialId: cred.id, grantId, cause: 'no_kill' };
}

/**
 * Every grant of `creds` the provider revoked other than by the run's own `revokeGrant`, classified
 * against `kills`; with `watch` (the write-ahead log's commands), a loss after the answer was
 * written by the provider is told apart: logged by the worker (a product loss) or never read by it
 * (the kill came while the answer's bytes were still on their way: in flight).
 */
export async function lossesOf(peer: OidcPeer, client: ChaosClient, creds: readonly ChaosCredential[], kills: readonly StopRecord[], watch?: AnswerWatch): Promise<LossFigures> {
  const events = await peer.events();
  const losses: Loss[] = [];
  for (const cred of creds) {
    for (const grantId of cred.grants) {
      const grant = await peer.grant(grantId);
      if (!grant?.revoked || grant.revokedBy === 'admin') continue;
      const described = await client.describe(cred.id).catch(() => undefined);
      let loss = classify(cred, grantId, events, kills);
      if (loss.cause === 'after_answer' && watch && loss.killAt !== undefined) {
        const logged = watch.of(cred.id, loss.requestAt ?? loss.killAt, loss.killAt).some((c) => c.command === 'set');
        loss = logged ? { ...loss, writeAhead: 'present' } : { ...loss, cause: 'in_flight', writeAhead: 'absent' };
      }
      losses.push({ ...loss, ...(described?.lastError ? { lastErrorCode: described.lastError.code } : {}) });
    }
  }
  const count = (pick: (l: Loss) => boolean) => {
    const by: Record<string, number> = {};
    for (const l of losses.filter(pick)) by[l.killClass ?? 'none'] = (by[l.killClass ?? 'none'] ?? 0) + 1;
    return by;
  };
  return {
    lost: losses.filter((l) => l.cause !== 'in_flight').length,
    lostInFlight: losses.filter((l) => l.cause === 'in_flight').length,
    losses,
    lostByKillClass: count((l) => l.cause !== 'in_flight'),
    lostInFlightByKillClass: count((l) => l.cause === 'in_flight'),
  };
}

/** A wedged workflow: its queries fail with FAILED_PRECONDITION, or its pending workflow task is past attempt 2. */
export interface Wedge {
  credentialId: string;
  why: string;
}

/** The wedged workflows among `ids`. */
export async function wedgesOf(client: ChaosClient, ids: readonly string[]): Promise<Wedge[]> {
  const wedges: Wedge[] = [];
  for (const id of ids) {
    const handle = client.temporal.workflow.getHandle(credentialWorkflowId(id));
    const described = await handle.describe().catch(() => undefined);
    if (described?.status.name !== 'RUNNING') continue;
    const attempt = described.raw.pendingWorkflowTask?.attempt ?? 0;
    if (attempt > 2) {
      wedges.push({ credentialId: id, why: `pending workflow task at attempt ${attempt}; last failure ${(await lastTaskFailure(client, id)) ?? 'none recorded (timed out?)'}` });
      continue;
    }
    try {
      await handle.query(describeQuery);
    } catch (err) {
      const code = isGrpcServiceError(err) ? err.code : (err as { cause?: { code?: number } }).cause?.code;
      if (code === 9 || /FAILED_PRECONDITION/.test(String((err as Error).message))) wedges.push({ credentialId: id, why: `query: ${String((err as Error).message).slice(0, 160)}` });
    }
  }
  return wedges;
}

/** The longest history of any run of any credential workflow (visibility), and how many runs there are. */
export async function maxEventsPerRun(client: ChaosClient): Promise<{ maxEvents: number; runs: number }> {
  let maxEvents = 0;
  let runs = 0;
  for await (const execution of client.temporal.workflow.list({ query: "WorkflowType = 'credentialWorkflow'" })) {
    runs += 1;
    maxEvents = Math.max(maxEvents, execution.historyLength);
  }
  return { maxEvents, runs };
}

/** The version of every credential now (undefined: could not be described). */
export async function versionsOf(client: ChaosClient, ids: readonly string[]): Promise<Map<string, CredentialDescription | undefined>> {
  const out = new Map<string, CredentialDescription | undefined>();
  await Promise.all(ids.map(async (id) => out.set(id, await client.describe(id).catch(() => undefined))));
  return out;
}

/**
 * Waits until every credential of `ids` is `active` with a version above `after` (its version at the
 * last fault), or `timeoutMs` passes; resolves with the ids that did not (with their status).
 */
export async function waitRecovered(client: ChaosClient, after: ReadonlyMap<string, number>, timeoutMs: number): Promise<{ pending: { id: string; status: string }[]; ms: number }> {
  const started = Date.now();
  let pending = [...after.keys()];
  const statuses = new Map<string, string>();
  while (pending.length && Date.now() - started < timeoutMs) {
    const now = await versionsOf(client, pending);
    pending = pending.filter((id) => {
      const d = now.get(id);
      statuses.set(id, d ? `${d.status} v${d.version}` : 'no answer');
      return !(d && d.status === 'active' && d.version > (after.get(id) ?? 0));
    });
    if (pending.length) await pause(1_000);
  }
  return { pending: pending.map((id) => ({ id, status: statuses.get(id) ?? '?' })), ms: Date.now() - started };
}

/** Waits until every credential of `ids` is `active` with its next refresh more than 3 s away, or `reauth_required` (lost); false after `timeoutMs`. */
export async function settled(client: ChaosClient, ids: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await versionsOf(client, ids);
    const due = ids.filter((id) => {
      const d = now.get(id);
      return !(d && (d.status === 'reauth_required' || (d.status === 'active' && (d.nextRefreshAt ?? 0) - Date.now() > 3_000)));
    });
    if (due.length === 0) return true;
    await pause(500);
  }
  return false;
}

/** One answer the provider wrote shortly before a SIGKILL, and whether its grant was then lost. */
export interface AnswerBeforeKill {
  /** Kill instant minus the instant the answer was written (ms). */
  gapMs: number;
  lost: boolean;
}

/** Refresh answers written within `windowMs` before each SIGKILL (one worker up at a time: the killed one had them), with their fate. */
export function answersBeforeKills(events: readonly OidcPeerTokenEvent[], kills: readonly StopRecord[], losses: readonly Loss[], windowMs = 250): AnswerBeforeKill[] {
  const lostGrants = new Set(losses.map((l) => l.grantId));
  const out: AnswerBeforeKill[] = [];
  for (const k of kills) {
    for (const e of events) {
      if (e.grantType !== 'refresh_token' || e.status !== 200 || e.answeredAt === undefined || e.aborted) continue;
      const gap = k.at - e.answeredAt;
      if (gap >= 0 && gap <= windowMs) out.push({ gapMs: gap, lost: e.grantId !== undefined && lostGrants.has(e.grantId) && events.some((r) => r.replay === true && r.presented === e.presented) });
    }
  }
  return out.sort((a, b) => a.gapMs - b.gapMs);
}
