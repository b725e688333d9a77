/**
 * The short version of `npm run chaos` (issue 11), on the suite's dev server and Redis: the API as
 * its own process and workers as child processes, against oidc-provider with strict rotation;
 * five kills (random, aimed right after the answer arrived, at a request in flight, before the
 * request) with readers on every credential, the storm and the bad-input corpus during them, then
 * a provider outage (503, hang, reset) longer than a token's lifetime. It fails on any loss other
 * than the one in flight, any expired token served, any wedged workflow, any 5xx, any crash.
 */
import { runShortChaos, problemsOf } from '../chaos/short';
import { chaosStackFromTestEnv, type ChaosStack } from '../chaos/stack';
import { uniqueId } from '../helpers/test-env';

describe('chaos, short version', () => {
  let stack: ChaosStack;
  beforeAll(async () => {
    stack = await chaosStackFromTestEnv(uniqueId('tq-chaos'));
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('kills, a storm, the bad-input corpus and a provider outage: nothing lost but in flight, nothing expired served, no wedge, no 5xx', async () => {
    const figures = await runShortChaos(stack, uniqueId('short').replace('short-', ''), (line) => process.stderr.write(`[chaos-short] ${line}\n`));
    process.stderr.write(`[chaos-short] ${JSON.stringify({ kills: { ...figures.kills, badInput: { ...figures.kills.badInput, unexpectedExamples: undefined, acceptedUpstreamFailingCases: undefined } }, outage: figures.outage })}\n`);
    expect(figures.kills.kills).toBe(5);
    expect(figures.kills.badInput?.tried).toBeGreaterThan(1000);
    expect(problemsOf(figures)).toEqual([]);
  }, 300_000);
});
