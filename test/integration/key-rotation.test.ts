/**
 * Rotating the encryption key ring while credentials run (issue 5), the way docs/security.md tells
 * operators to do it:
 *
 * 1. Credentials run under ring `k1`.
 * 2. Every worker and client is restarted with `k2,k1`: k2 encrypts, both decrypt. Every credential
 *    keeps refreshing (versions grow, no refresh token replayed, status active), and every encrypted
 *    payload written after the switch names k2 in its `encryption-key-id` metadata, read from the raw
 *    history. A codec holding only k2 refuses the old payloads with a DecryptionError naming k1.
 * 3. Once every credential has continued as new under k2 (the current run holds no k1 payload),
 *    workers and clients restart with `k2` alone and the credentials keep refreshing. Closed runs
 *    written under k1 stay unreadable without k1 (the Web UI shows them still encrypted) until the
 *    namespace's retention removes them.
 */
import { Connection } from '@temporalio/client';
import { AesGcmCodec, isEncrypted, keyIdMetadataKey } from '../../src/codec/aes-gcm-codec';
import { generateKey, parseKeyring } from '../../src/codec/keyring';
import { DecryptionError } from '../../src/errors';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { workflowIdPrefix } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { metadataText, payloadsIn, rawHistories, type RawRun } from '../helpers/secrets-scan';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

type TestClient = Awaited<ReturnType<typeof openTokenClient>>;

/** The key ids of the encrypted payloads in `events`, and how many payloads were not encrypted. */
function keyIdsOf(events: RawRun['events']): { ids: string[]; plain: number } {
  const ids: string[] = [];
  let plain = 0;
  for (const payload of payloadsIn(events)) {
    if (isEncrypted(payload)) ids.push(metadataText(payload, keyIdMetadataKey) ?? '<none>');
    else plain += 1;
  }
  return { ids, plain };
}

describe('key ring rotation while credentials run', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-rotation');
  const k1 = generateKey('k1');
  const k2 = generateKey('k2');
  let fake: FakeOAuth2Server;
  let raw: Connection;
  let worker: WorkerProcess | undefined;
  let client: TestClient | undefined;
  const ids: string[] = [];
  /** Per credential: the runs that existed when the k1 worker stopped, and the last event id of the current one. */
  const cutoff = new Map<string, { runIds: Set<string>; currentRunId: string; lastEventId: number }>();

  async function switchTo(ring: string): Promise<void> {
    await client?.shutdown();
    await worker?.stop();
    client = undefined;
    worker = undefined;
    worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_ENCRYPTION_KEYS: ring });
    client = await openTokenClient(taskQueue, { encryptionKeys: ring });
  }

  /** Waits until every credential is `by` versions further, active, with no replay at the fake. */
  async function keepsRefreshing(by: number): Promise<void> {
    const c = client as TestClient;
    const start = await Promise.all(ids.map((id) => c.describe(id)));
    await waitFor(
      `every credential ${by} versions further`,
      async () => {
        const now = await Promise.all(ids.map((id) => c.describe(id)));
        return now.every((d, i) => d.status === 'active' && d.version >= (start[i]?.version ?? 0) + by);
      },
      { timeoutMs: 40_000, intervalMs: 100 },
    );
    expect(fake.replays).toBe(0);
    for (const id of ids) {
      const token = await c.getToken(id);
      expect(fake.isValidAccessToken(token.accessToken)).toBe(true);
    }
  }

  const history = (id: string) => rawHistories(raw, env.namespace, `${workflowIdPrefix}${id}`);

  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 3 });
    raw = await Connection.connect({ address: env.temporalAddress });
    await switchTo(k1);
  });

  afterAll(async () => {
    for (const id of ids) await client?.revoke(id).catch(() => undefined);
    await client?.shutdown();
    await worker?.stop();
    await raw?.close();
    await fake?.close();
  });

  it('runs credentials under k1', async () => {
    const c = client as TestClient;
    for (let i = 0; i < 3; i += 1) ids.push((await registerOAuth2(c, fake, { maxCyclesPerRun: 3 })).id);
    await keepsRefreshing(2);
    for (const id of ids) {
      const { ids: keyIds } = keyIdsOf((await history(id)).flatMap((r) => r.events));
      expect(keyIds.length).toBeGreaterThan(5);
      expect(new Set(keyIds)).toEqual(new Set(['k1']));
    }
  });

  it('switches every worker and client to "k2,k1": all keep refreshing, new payloads name k2', async () => {
    await worker?.stop(); // no event can be written under k1 after this
    for (const id of ids) {
      const runs = await history(id);
      const current = runs[0] as RawRun;
      const lastEventId = Number(current.events[current.events.length - 1]?.eventId ?? 0);
      cutoff.set(id, { runIds: new Set(runs.map((r) => r.runId)), currentRunId: current.runId, lastEventId });
    }
    await switchTo(`${k2},${k1}`);
    await keepsRefreshing(4);

    for (const id of ids) {
      const cut = cutoff.get(id);
      if (!cut) throw new Error('no cutoff');
      const before: RawRun['events'] = [];
      const after: RawRun['events'] = [];
      for (const run of await history(id)) {
        for (const event of run.events) {
          const old = cut.runIds.has(run.runId) && (run.runId !== cut.currentRunId || Number(event.eventId) <= cut.lastEventId);
          (old ? before : after).push(event);
        }
      }
      expect(new Set(keyIdsOf(before).ids)).toEqual(new Set(['k1']));
      const written = keyIdsOf(after).ids;
      expect(written.length).toBeGreaterThan(5);
      expect(new Set(written)).toEqual(new Set(['k2']));
    }
  });

  it('a codec holding only k2 refuses k1 payloads with a DecryptionError naming k1', async () => {
    const firstRun = (await history(ids[0] as string)).at(-1) as RawRun;
    const old = payloadsIn(firstRun.events).filter((p) => metadataText(p, keyIdMetadataKey) === 'k1');
    expect(old.length).toBeGreaterThan(0);
    const k2Only = new AesGcmCodec(parseKeyring(k2));
    const refused = await k2Only.decode(old.slice(0, 1)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DecryptionError);
    expect((refused as DecryptionError).code).toBe('unknown_encryption_key');
    expect((refused as DecryptionError).keyId).toBe('k1');
    expect((refused as Error).message).toContain("names key 'k1'");
    expect((refused as Error).message).toContain('HALFLIFE_ENCRYPTION_KEYS');
    // The ring with both keys still reads them.
    await expect(new AesGcmCodec(parseKeyring(`${k2},${k1}`)).decode(old)).resolves.toHaveLength(old.length);
  });

  it('drops k1 once every credential has continued as new under k2: all keep refreshing on "k2" alone', async () => {
    // Safe only when the current run of every credential holds no k1 payload: a worker replays the
    // current run (never closed ones), and clients only decode what the current run answers.
    await waitFor(
      'every credential to run in a run started under k2',
      async () => {
        for (const id of ids) {
          const [current] = await history(id);
          if (!current || cutoff.get(id)?.runIds.has(current.runId)) return false;
          const { ids: keyIds } = keyIdsOf(current.events);
          if (keyIds.length === 0 || keyIds.some((k) => k !== 'k2')) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await switchTo(k2);
    await keepsRefreshing(4);
    expect(worker?.output() ?? '').not.toMatch(/unknown_encryption_key|DecryptionError/);
    for (const id of ids) {
      const [current] = await history(id);
      expect(new Set(keyIdsOf(current?.events ?? []).ids)).toEqual(new Set(['k2']));
    }
  });
});
