/**
 * The whole story of an error from a Temporal call, for evidence: every message down its cause
 * chain, and the per-operation statuses a multi-operation failure (update-with-start) carries in
 * its gRPC details, which the SDK's own message ("Update-with-Start could not be executed.") hides.
 */
import { google, temporal } from '@temporalio/proto';

/** The per-operation statuses of a MultiOperationExecutionFailure in `err`'s gRPC details, as `code message` strings. */
function operationStatuses(err: { metadata?: { get(key: string): unknown[] } }): string[] {
  const raw = err.metadata?.get('grpc-status-details-bin')?.[0];
  if (!(raw instanceof Uint8Array)) return [];
  const out: string[] = [];
  for (const detail of google.rpc.Status.decode(raw).details ?? []) {
    if (!detail.type_url?.endsWith('MultiOperationExecutionFailure') || !detail.value) continue;
    for (const s of temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(detail.value).statuses ?? []) out.push(`${s.code ?? '?'} ${s.message ?? ''}`);
  }
  return out;
}

/** `err`'s messages down its cause chain, with any per-operation statuses, joined by ` <- `. */
export function errorStory(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { name?: string; message?: string; code?: unknown; metadata?: { get(key: string): unknown[] }; cause?: unknown };
    parts.push(`${e.name ?? 'Error'}${e.code !== undefined ? `(${String(e.code)})` : ''}: ${e.message ?? ''}`);
    const ops = typeof e.metadata?.get === 'function' ? operationStatuses(e) : [];
    if (ops.length) parts.push(`operations [${ops.join('; ')}]`);
    current = e.cause;
  }
  return parts.join(' <- ').slice(0, 1_000);
}
