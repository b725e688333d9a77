/**
 * Worker capacity settings: read from HALFLIFE_WORKER_* through the service configuration, a bad
 * value named by its variable, and only the settings given turned into Temporal worker options.
 */
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { defaultWorkflowTaskSlots, workerOptionsOf, workerTuningFromEnv, workerTuningVariables } from '../../src/worker-tuning';

const isolated = { TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'halflife-no-such-profile.toml') };

describe('worker tuning from the environment', () => {
  it('is absent when no variable is set, so the SDK defaults apply but for the workflow task slots', () => {
    expect(loadConfig({ ...isolated }).workerTuning).toBeUndefined();
    expect(workerOptionsOf(undefined)).toEqual({ maxConcurrentWorkflowTaskExecutions: defaultWorkflowTaskSlots });
    expect(defaultWorkflowTaskSlots).toBeLessThan(40); // the SDK's, which a cold worker cannot finish within the task timeout
  });

  it('reads every variable into the configuration', () => {
    const config = loadConfig({
      ...isolated,
      HALFLIFE_WORKER_MAX_CACHED_WORKFLOWS: '5000',
      HALFLIFE_WORKER_WORKFLOW_TASK_SLOTS: '80',
      HALFLIFE_WORKER_ACTIVITY_SLOTS: '200',
      HALFLIFE_WORKER_WORKFLOW_POLLERS: '20',
      HALFLIFE_WORKER_ACTIVITY_POLLERS: '4',
      HALFLIFE_WORKER_STICKY_TIMEOUT_MS: '30000',
    });
    expect(config.workerTuning).toEqual({
      maxCachedWorkflows: 5000,
      maxConcurrentWorkflowTaskExecutions: 80,
      maxConcurrentActivityTaskExecutions: 200,
      maxConcurrentWorkflowTaskPolls: 20,
      maxConcurrentActivityTaskPolls: 4,
      stickyQueueScheduleToStartTimeoutMs: 30000,
    });
    expect(workerOptionsOf(config.workerTuning)).toEqual({
      maxCachedWorkflows: 5000,
      maxConcurrentWorkflowTaskExecutions: 80,
      maxConcurrentActivityTaskExecutions: 200,
      maxConcurrentWorkflowTaskPolls: 20,
      maxConcurrentActivityTaskPolls: 4,
      stickyQueueScheduleToStartTimeout: 30000,
    });
  });

  it.each([
    ['HALFLIFE_WORKER_MAX_CACHED_WORKFLOWS', 'many'],
    ['HALFLIFE_WORKER_WORKFLOW_TASK_SLOTS', '0'],
    ['HALFLIFE_WORKER_ACTIVITY_SLOTS', '1.5'],
    ['HALFLIFE_WORKER_WORKFLOW_POLLERS', '1'],
    ['HALFLIFE_WORKER_STICKY_TIMEOUT_MS', '10'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(() => loadConfig({ ...isolated, [variable]: value })).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: variable }));
  });

  it('refuses more pollers than workflow task slots, and one slot while caching', () => {
    expect(() => workerTuningFromEnv({ HALFLIFE_WORKER_WORKFLOW_TASK_SLOTS: '8', HALFLIFE_WORKER_WORKFLOW_POLLERS: '10' })).toThrow(
      expect.objectContaining({ field: workerTuningVariables.maxConcurrentWorkflowTaskPolls }),
    );
    expect(() => workerOptionsOf({ maxConcurrentWorkflowTaskExecutions: 1 })).toThrow(expect.objectContaining({ field: 'tuning.maxConcurrentWorkflowTaskExecutions' }));
    expect(workerOptionsOf({ maxConcurrentWorkflowTaskExecutions: 1, maxCachedWorkflows: 0 })).toEqual({ maxConcurrentWorkflowTaskExecutions: 1, maxCachedWorkflows: 0 });
  });
});
