/**
 * A deliberately different `credentialWorkflow` for the replay test's negative control: it starts a
 * timer where the real workflow schedules its first command, so replaying a real history against it
 * must report nondeterminism.
 */
import { sleep } from '@temporalio/workflow';

/** Not the credential workflow: sleeps first, then ends. */
export async function credentialWorkflow(): Promise<void> {
  await sleep('1 hour');
}
