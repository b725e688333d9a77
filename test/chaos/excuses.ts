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

/**
 * A predicate for `Readers.figures`: true for a failed read of a credential between its in-flight
 * loss (or a revocation of its grant by the run itself, `revoked`) and the next reauthorize after it.
 */
export function lostInFlightExcuse(losses: readonly Loss[], healedAt: ReadonlyMap<string, readonly number[]>, revoked: readonly { id: string; at: number }[] = []): (read: Read) => boolean {
  const windows = new Map<string, [number, number][]>();
  const starts = [
    ...losses.filter((l) => l.cause === 'in_flight' && l.killAt !== undefined).map((l) => ({ id: l.credentialId, at: l.killAt! })),
    ...revoked,
  ];
  for (const { id, at: from } of starts) {
    const healed = (healedAt.get(id) ?? []).find((t) => t >= from);
    const to = healed === undefined ? Number.POSITIVE_INFINITY : healed + settleMs;
    windows.set(id, [...(windows.get(id) ?? []), [from, to]]);
  }
  return (read) => (windows.get(read.id) ?? []).some(([from, to]) => read.sentAt >= from && read.sentAt < to);
}
