/**
 * A signal that aborts when any of `signals` does, or after `ms` with a `TimeoutError` reason (the
 * reason `AbortSignal.timeout` gives). Node 20's `AbortSignal.any` holds its sources weakly: an
 * `AbortSignal.timeout` inside it is collected by the next garbage collection and never fires, so a
 * hanging request outlived its deadline whenever a collection ran during the wait (the
 * classification table's timeout rows failed one CI run in two: a 4 s deadline still waiting at
 * 19 s). Here the timer holds the controller until it fires.
 */
export function timeoutSignal(ms: number, ...signals: AbortSignal[]): AbortSignal {
  const deadline = new AbortController();
  setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref();
  return AbortSignal.any([...signals, deadline.signal]);
}
