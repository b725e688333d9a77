/**
 * The fleet benchmark's reader, a process set up as a consumer service's (a TokenClient built as
 * `openTokenClient` builds it, with Redis, and no in-process cache so every read reaches Redis):
 * on `start` it calls `getToken` for a random credential at a fixed rate (open loop: a slow read
 * never delays the next one), through the HTTP API too when API processes are given, until
 * `stop`; then it answers with every latency and what went wrong.
 */
import { Agent, request } from 'undici';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { createDataConverter } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config';
import { errorOutcomeOf } from '../../src/error-outcomes';
import { keyringOf, openRedis } from '../../src/service/connections';

/** What the parent sends first. */
export interface ReaderSetup {
  type: 'setup';
  env: { temporalAddress: string; namespace: string; taskQueue: string; redisUrl: string; encryptionKeys: string };
  /** HTTP API processes to read through as well (round robin with the TokenClient). */
  apis: { url: string; key: string }[];
  ratePerS: number;
}

/** Messages to the reader. */
export type ToReader = ReaderSetup | { type: 'start'; ids: string[] } | { type: 'stop' };

/** What the reader reports for one path. */
export interface ReadFigures {
  latenciesMs: number[];
  errors: Record<string, number>;
  /** Tokens handed out that had already expired (must be 0). */
  expired: number;
}

/** Messages from the reader. */
export type FromReader = { type: 'ready' } | { type: 'result'; client: ReadFigures; http: ReadFigures } | { type: 'error'; message: string };

const send = (m: FromReader) => process.send?.(m);
const empty = (): ReadFigures => ({ latenciesMs: [], errors: {}, expired: 0 });

let client: TokenClient | undefined;
let setup: ReaderSetup | undefined;
let timer: NodeJS.Timeout | undefined;
const figures = { client: empty(), http: empty() };
const inFlight = new Set<Promise<void>>();
const http = new Agent({ keepAliveTimeout: 60_000 });

async function open(message: ReaderSetup): Promise<void> {
  const config = loadConfig({
    TEMPORAL_ADDRESS: message.env.temporalAddress,
    TEMPORAL_NAMESPACE: message.env.namespace,
    HALFLIFE_TASK_QUEUE: message.env.taskQueue,
    REDIS_URL: message.env.redisUrl,
    HALFLIFE_ENCRYPTION_KEYS: message.env.encryptionKeys,
  });
  const connection = await connectTemporal({ address: config.temporal.address });
  const redis = await openRedis(config);
  client = new TokenClient({ connection, namespace: config.namespace, taskQueue: config.taskQueue, redis, redisPrefix: config.redisPrefix, dataConverter: createDataConverter(keyringOf(config)), localCacheMs: 0 });
  setup = message;
}

async function readViaHttp(api: { url: string; key: string }, id: string): Promise<number> {
  const response = await request(`${api.url}/v1/credentials/${encodeURIComponent(id)}/token`, { dispatcher: http, headers: { authorization: `Bearer ${api.key}` } });
  const body = (await response.body.json()) as { expires_at?: string; error?: { code?: string } };
  if (response.statusCode !== 200) throw Object.assign(new Error('http'), { code: body.error?.code ?? `http_${response.statusCode}` });
  return Date.parse(body.expires_at ?? '');
}

function readOne(ids: string[], n: number): void {
  const id = ids[Math.floor(Math.random() * ids.length)] as string;
  const apis = setup?.apis ?? [];
  const api = apis.length > 0 && n % 2 === 1 ? apis[((n - 1) / 2) % apis.length] : undefined;
  const target = api ? figures.http : figures.client;
  const started = performance.now();
  const read = (async () => {
    try {
      const expiresAt = api ? await readViaHttp(api, id) : (await (client as TokenClient).getToken(id)).expiresAt;
      target.latenciesMs.push(performance.now() - started);
      if (!(expiresAt > Date.now())) target.expired++;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const key = typeof code === 'string' ? code : errorOutcomeOf(err).code;
      target.errors[key] = (target.errors[key] ?? 0) + 1;
    }
  })();
  inFlight.add(read);
  void read.finally(() => inFlight.delete(read));
}

function start(ids: string[]): void {
  const period = 1000 / (setup?.ratePerS ?? 50);
  const begin = performance.now();
  let n = 0;
  const tick = () => {
    // Catch up on the schedule (a late timer fires the reads it owes), then wait for the next slot.
    while (begin + n * period <= performance.now()) readOne(ids, n++);
    timer = setTimeout(tick, Math.max(0, begin + n * period - performance.now()));
  };
  tick();
}

async function onMessage(message: ToReader): Promise<void> {
  if (message.type === 'setup') {
    await open(message);
    send({ type: 'ready' });
  } else if (message.type === 'start') {
    start(message.ids);
  } else {
    if (timer) clearTimeout(timer);
    await Promise.all(inFlight);
    send({ type: 'result', ...figures });
  }
}

process.on('message', (message: ToReader) => {
  onMessage(message).catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => process.exit(0));
