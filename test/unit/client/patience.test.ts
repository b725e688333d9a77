/**
 * `patiently`: passing failures (no worker holds the task yet, Temporal not answering) are retried
 * until the deadline; any other failure, and the last passing one at the deadline, is thrown.
 */
import { isPassing, patiently } from '../../../src/client/patience';
import { CredentialNotFoundError, NoWorkerError, UpstreamFailingError } from '../../../src/errors';

const noWorker = () => new NoWorkerError('c1', 'the worker running its workflow task stopped');
const unavailable = () => Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: 14, details: 'x', metadata: {} });

describe('isPassing', () => {
  it.each<[string, boolean, unknown]>([
    ['no_worker', true, noWorker()],
    ['Temporal unavailable (gRPC 14)', true, unavailable()],
    ['not found', false, new CredentialNotFoundError('c1')],
    ['upstream failing', false, new UpstreamFailingError('c1', 'token endpoint 503')],
    ['a plain error', false, new Error('boom')],
  ])('%s: passing %s', (_name, expected, err) => {
    expect(isPassing(err)).toBe(expected);
  });
});

describe('patiently', () => {
  it('retries passing failures and resolves with the first answer', async () => {
    let calls = 0;
    const value = await patiently(Date.now() + 10_000, async () => {
      calls++;
      if (calls === 1) throw noWorker();
      if (calls === 2) throw unavailable();
      return 'token';
    });
    expect({ value, calls }).toEqual({ value: 'token', calls: 3 });
  });

  it('throws any other failure at once', async () => {
    let calls = 0;
    const failing = patiently(Date.now() + 10_000, async () => {
      calls++;
      throw new CredentialNotFoundError('c1');
    });
    await expect(failing).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
    expect(calls).toBe(1);
  });

  it('gives up at the deadline with the last passing failure, and hands the deadline to each try', async () => {
    const deadline = Date.now() + 1_200;
    const seen: number[] = [];
    const failing = patiently(deadline, async (d) => {
      seen.push(d);
      throw noWorker();
    });
    await expect(failing).rejects.toMatchObject({ name: 'NoWorkerError' });
    expect(Date.now()).toBeLessThanOrEqual(deadline + 100);
    expect(seen.length).toBeGreaterThanOrEqual(2); // 250 ms, then 500 ms: a third try would end past the deadline
    expect(new Set(seen)).toEqual(new Set([deadline]));
  });
});
