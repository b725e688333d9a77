/**
 * Every recorded history of every released workflow version (test/releases/<version>/histories)
 * replays without non-determinism against the current workflow code: a credential that is
 * running on an older release today keeps working when the worker is upgraded. A deliberately
 * different workflow fails the same replay, so the check can fail at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReplayInput } from '../helpers/replay-main';
import { releaseKeys, replayHistories } from '../helpers/replay';

const releases = path.join(__dirname, '..', 'releases');

function recorded(): ReplayInput[] {
  return fs
    .readdirSync(releases, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(releases, d.name, 'histories')))
    .flatMap((d) => {
      const dir = path.join(releases, d.name, 'histories');
      return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ReplayInput);
    });
}

describe('recorded histories of released versions', () => {
  const inputs = recorded();

  it('there are recorded histories of at least release v0.1.0', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(7);
  });

  it('every one replays against the current workflow code; a different workflow does not', async () => {
    const outcomes = await replayHistories(inputs, { keys: releaseKeys });
    expect(outcomes.map((o) => o.runId).sort()).toEqual(inputs.map((i) => i.runId).sort());
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    const control = await replayHistories(inputs.slice(0, 2), { keys: releaseKeys, workflowsPath: path.join(__dirname, '..', 'helpers', 'replay-nondeterministic-workflow.ts') });
    expect(control.map((o) => o.error?.name)).toEqual(['DeterminismViolationError', 'DeterminismViolationError']);
  });
});
