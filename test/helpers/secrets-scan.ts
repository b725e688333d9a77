/**
 * Searching for secrets where they must not be: raw workflow histories read from the server with no
 * codec (every run of a workflow, as protobuf bytes and as proto3 JSON), raw describe answers, and
 * every key of a Redis database. A secret counts as found in any of its encodings: raw bytes,
 * JSON-escaped, URL-encoded, or base64/base64url at any byte alignment (so a secret inside a larger
 * base64 blob, such as a payload's `data` in JSON or a Basic authorization header, is found too).
 */
import type { Payload } from '@temporalio/common';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Redis } from 'ioredis';

/** One history event as the server returns it. */
export type RawEvent = temporal.api.history.v1.IHistoryEvent;

/** The events of one run of a workflow, read without any codec. */
export interface RawRun {
  runId: string;
  events: RawEvent[];
}

/** Something to search: protobuf bytes or text, named for the report. */
export interface Haystack {
  name: string;
  bytes?: Uint8Array;
  text?: string;
}

/** A secret found somewhere. */
export interface Finding {
  /** The label the caller gave the secret. */
  secret: string;
  /** The haystack it was found in. */
  where: string;
  /** The encoding it was found in (`raw`, `json-escaped`, `url-encoded`, `base64@1`, ...). */
  form: string;
}

/** Reads every page of one run's history (the latest run when `runId` is omitted). */
export async function rawRunEvents(connection: Connection, namespace: string, workflowId: string, runId?: string): Promise<RawEvent[]> {
  const events: RawEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      nextPageToken,
      maximumPageSize: 100,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** Every run of a workflow, newest first, following the continue-as-new chain back to the first run. */
export async function rawHistories(connection: Connection, namespace: string, workflowId: string): Promise<RawRun[]> {
  const described = await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  let runId: string | undefined = described.workflowExecutionInfo?.execution?.runId ?? undefined;
  const runs: RawRun[] = [];
  while (runId) {
    const events = await rawRunEvents(connection, namespace, workflowId, runId);
    runs.push({ runId, events });
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    runId = previous ? previous : undefined;
  }
  return runs;
}

/** The events as one `History` protobuf (bytes) and as its proto3 JSON text (bytes as base64). */
export function historyHaystacks(name: string, events: RawEvent[]): Haystack[] {
  const history = temporal.api.history.v1.History.create({ events: events as temporal.api.history.v1.HistoryEvent[] });
  return [
    { name: `${name} (protobuf)`, bytes: temporal.api.history.v1.History.encode(history).finish() },
    { name: `${name} (JSON)`, text: JSON.stringify(history.toJSON()) },
  ];
}

/** The raw describe answer of a workflow (memo, search attributes, pending activities with heartbeat details). */
export async function describeHaystacks(connection: Connection, namespace: string, workflowId: string): Promise<Haystack[]> {
  const described = await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  const type = temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
  const message = type.fromObject(type.toObject(described as temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse));
  return [
    { name: `describe ${workflowId} (protobuf)`, bytes: type.encode(message).finish() },
    { name: `describe ${workflowId} (JSON)`, text: JSON.stringify(message.toJSON()) },
  ];
}

/**
 * The secret parts of a private key to search for: the PEM text whole, each of its base64 lines
 * (each is key material, so a part of the key is found too), and a JWK's private `d`.
 */
export function privateKeySecrets(pem: string, d?: string): string[] {
  const lines = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  return [...(pem !== '' ? [pem] : []), ...lines, ...(d ? [d] : [])];
}

/** Every encoding of `secret` the search looks for, by name. */
export function secretForms(secret: string): { form: string; text: string }[] {
  const forms = [
    { form: 'raw', text: secret },
    { form: 'json-escaped', text: JSON.stringify(secret).slice(1, -1) },
    { form: 'url-encoded', text: encodeURIComponent(secret) },
  ];
  const bytes = Buffer.from(secret, 'utf8');
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    // Only the characters that depend on the secret's bytes alone, whatever surrounds it.
    const first = Math.ceil((8 * shift) / 6);
    const last = Math.floor((8 * (shift + bytes.length) - 6) / 6);
    for (const encoding of ['base64', 'base64url'] as const) {
      forms.push({ form: `${encoding}@${shift}`, text: padded.toString(encoding).slice(first, last + 1) });
    }
  }
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length >= 8 && !seen.has(`${f.form}:${f.text}`) && seen.add(`${f.form}:${f.text}`));
}

/** Every (secret, haystack, form) where a secret occurs. `secrets` maps a label to the secret. */
export function findSecrets(haystacks: readonly Haystack[], secrets: ReadonlyMap<string, string>): Finding[] {
  const findings: Finding[] = [];
  for (const [label, secret] of secrets) {
    if (secret.length < 8) throw new Error(`secret ${label} is too short to search for reliably`);
    const forms = secretForms(secret);
    for (const haystack of haystacks) {
      const form = forms.find((f) =>
        haystack.bytes ? Buffer.from(haystack.bytes).includes(Buffer.from(f.text, 'utf8')) : (haystack.text ?? '').includes(f.text),
      );
      if (form) findings.push({ secret: label, where: haystack.name, form: form.form });
    }
  }
  return findings;
}

/** Every payload in an object tree (history events, describe answers): objects with `data` and an `encoding` in `metadata`. */
export function payloadsIn(value: unknown, out: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return out;
  const candidate = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
  if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.metadata.encoding instanceof Uint8Array) {
    out.push(candidate as Payload);
    return out;
  }
  for (const item of Array.isArray(value) ? value : Object.values(value)) payloadsIn(item, out);
  return out;
}

/** A metadata value of a payload as text. */
export function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/** One Redis key's type and a text dump of its whole value. */
export interface RedisEntry {
  key: string;
  type: string;
  /** Field (or member) → value, as text. Strings have the single field `''`. */
  fields: Map<string, string>;
}

/** Reads every key of the Redis database (SCAN), whatever its type. */
export async function dumpRedis(redis: Redis): Promise<RedisEntry[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 500);
    batch.forEach((k) => keys.add(k));
    cursor = next;
  } while (cursor !== '0');
  const entries: RedisEntry[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const fields = new Map<string, string>();
    if (type === 'string') fields.set('', (await redis.get(key)) ?? '');
    else if (type === 'hash') for (const [f, v] of Object.entries(await redis.hgetall(key))) fields.set(f, v);
    else if (type === 'list') (await redis.lrange(key, 0, -1)).forEach((v, i) => fields.set(String(i), v));
    else if (type === 'set') (await redis.smembers(key)).forEach((v, i) => fields.set(String(i), v));
    else if (type === 'zset') (await redis.zrange(key, '0', '-1', 'WITHSCORES')).forEach((v, i) => fields.set(String(i), v));
    else if (type === 'stream') (await redis.xrange(key, '-', '+')).forEach(([id, kv]) => fields.set(id, kv.join('\u0000')));
    else if (type === 'none') continue; // expired between SCAN and TYPE
    else fields.set('', `<unreadable type ${type}>`);
    entries.push({ key, type, fields });
  }
  return entries;
}

/** Each Redis key field as a haystack named `key#field` (names include the key, since key names could hold secrets too). */
export function redisHaystacks(entries: readonly RedisEntry[]): Haystack[] {
  return entries.flatMap((e) => [
    { name: `key name ${e.key}`, text: e.key },
    ...[...e.fields].map(([field, value]) => ({ name: `${e.key}#${field}`, text: `${field}\u0000${value}` })),
  ]);
}
