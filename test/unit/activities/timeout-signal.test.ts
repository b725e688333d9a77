/**
 * timeoutSignal (src/activities/timeout-signal.ts) must fire after a garbage collection, which
 * `AbortSignal.any([…, AbortSignal.timeout(ms)])` on Node 20 does not: its timeout source is held
 * weakly and collected. The collection is forced here, as one may happen at any moment of a wait.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timeoutSignal } from '../../../src/activities/timeout-signal';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Resolves with how many of `signals` aborted within `ms`, collecting garbage meanwhile. */
async function abortedWithin(signals: AbortSignal[], ms: number): Promise<number> {
  let aborted = 0;
  for (const s of signals) s.addEventListener('abort', () => aborted++);
  for (let t = 0; t < ms; t += 25) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return aborted;
}

describe('timeoutSignal', () => {
  it('aborts after its deadline even when garbage is collected during the wait, with a TimeoutError reason', async () => {
    const signals = Array.from({ length: 20 }, () => timeoutSignal(100, new AbortController().signal));
    expect(await abortedWithin(signals, 400)).toBe(20);
    expect((signals[0]?.reason as Error).name).toBe('TimeoutError');
  }, 60_000); // a full collection of a test worker's large heap can take a second (CI: over 5 s for the 16)

  it('aborts at once with any of its sources, with that source\'s reason', () => {
    const source = new AbortController();
    const signal = timeoutSignal(60_000, source.signal);
    source.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('cancelled');
  });
});
