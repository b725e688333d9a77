/**
 * Which failed reads an accepted loss explains: a credential lost in flight (the kill landed while
 * its request was at the strict provider) has no valid token from that kill until an operator gives
 * it a new grant, so its readers are answered `reauth_required`, or 503 once its last token expired,
 * or wait. Those answers are counted apart; every other failed read is unexplained.
 */
import type { Loss } from './audit';
import type { Read } from './readers';

/** Reads are still excused this long after the reauthorize returned (the API's caches, a read already sent). */
const settleMs = 2_000;

/** A predicate for `Readers.figures`: true for a failed read of a credential between its in-flight loss and the next reauthorize after it. */
export function lostInFlightExcuse(losses: readonly Loss[], healedAt: ReadonlyMap<string, readonly number[]>): (read: Read) => boolean {
  const windows = new Map<string, [number, number][]>();
  for (const loss of losses) {
    if (loss.cause !== 'in_flight' || loss.killAt === undefined) continue;
    const from = loss.killAt;
    const healed = (healedAt.get(loss.credentialId) ?? []).find((t) => t >= from);
    const to = healed === undefined ? Number.POSITIVE_INFINITY : healed + settleMs;
    windows.set(loss.credentialId, [...(windows.get(loss.credentialId) ?? []), [from, to]]);
  }
  return (read) => (windows.get(read.id) ?? []).some(([from, to]) => read.sentAt >= from && read.sentAt < to);
}
