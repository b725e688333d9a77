/**
 * The usual setup of an integration suite: a fake OAuth 2.0 server, a worker process and a
 * TokenClient on one task queue, started before the suite's tests and stopped after them.
 */
import { startFakeOAuth2Server, type FakeOAuth2Options, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { openTokenClient } from './test-env';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** What `useOAuth2Stack` provides once the suite has started. */
export interface OAuth2Stack {
  readonly fake: FakeOAuth2Server;
  readonly worker: WorkerProcess;
  readonly client: Awaited<ReturnType<typeof openTokenClient>>;
}

/** Registers `beforeAll` / `afterAll` hooks that start and stop the stack on `taskQueue`. */
export function useOAuth2Stack(taskQueue: string, fakeOptions: FakeOAuth2Options = {}): OAuth2Stack {
  let parts: Partial<OAuth2Stack> = {};
  beforeAll(async () => {
    parts = { fake: await startFakeOAuth2Server(fakeOptions) };
    parts = { ...parts, worker: await startWorkerProcess(taskQueue) };
    parts = { ...parts, client: await openTokenClient(taskQueue) };
  });
  afterAll(async () => {
    await parts.client?.shutdown();
    await parts.worker?.stop();
    await parts.fake?.close();
  });
  const started = <K extends keyof OAuth2Stack>(key: K): OAuth2Stack[K] => {
    const part = parts[key];
    if (!part) throw new Error(`the ${key} of the test stack is not started (use it inside tests)`);
    return part as OAuth2Stack[K];
  };
  return {
    get fake() {
      return started('fake');
    },
    get worker() {
      return started('worker');
    },
    get client() {
      return started('client');
    },
  };
}
