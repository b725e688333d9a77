/**
 * Prepares a Temporal frontend for Halflife: waits until it answers, registers the namespace when
 * asked to (and waits until the frontend serves it), and adds the custom search attributes it lacks,
 * refusing one that exists with another type.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { delay } from './net';

/** Search attribute types accepted by `temporal server start-dev --search-attribute Name=Type`. */
export type SearchAttributeTypeName = 'Keyword' | 'Datetime' | 'Int' | 'Double' | 'Bool' | 'Text' | 'KeywordList';

const indexedValueTypes: Record<SearchAttributeTypeName, temporal.api.enums.v1.IndexedValueType> = {
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The type name of an indexed value type, for messages. */
function typeName(value: temporal.api.enums.v1.IndexedValueType | undefined): string {
  const entry = Object.entries(indexedValueTypes).find(([, v]) => v === value);
  return entry ? entry[0] : `type #${value}`;
}

/** True for a gRPC error with this status code. */
function hasCode(err: unknown, code: grpcStatus): boolean {
  return isGrpcServiceError(err) && err.code === code;
}

/** Opens a client connection and checks it answers `getSystemInfo`; closes it again on failure. */
export async function openConnection(address: string, timeoutMs: number): Promise<Connection> {
  const connection = Connection.lazy({ address, connectTimeout: timeoutMs });
  try {
    await connection.ensureConnected();
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** Short per-call deadline for control-plane calls. */
const callMs = 5_000;

/** Returns an error when waiting should stop at once (e.g. the server process exited). */
export type StopCheck = () => Error | undefined;

/** Polls `probe` until it returns true; throws `what` (with the last error) after the deadline, or at once for a fatal error. */
async function pollUntil(what: string, deadline: number, probe: () => Promise<boolean>, stopCheck?: StopCheck): Promise<void> {
  let lastError: unknown;
  for (;;) {
    const stopped = stopCheck?.();
    if (stopped) throw stopped;
    try {
      if (await probe()) return;
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${what}${detail}`);
    }
    await delay(200);
  }
}

/** Makes sure `namespace` exists and serves requests, registering it (1 day retention) if `register` and it is missing. */
async function ensureNamespace(
  connection: Connection,
  namespace: string,
  deadline: number,
  register: boolean,
  log: (msg: string) => void,
  stopCheck?: StopCheck,
): Promise<void> {
  let registered = false;
  await pollUntil(`namespace ${namespace}`, deadline, async () => {
    try {
      await connection.withDeadline(Date.now() + callMs, () => connection.workflowService.describeNamespace({ namespace }));
    } catch (err) {
      if (!hasCode(err, grpcStatus.NOT_FOUND) || !register || registered) throw err;
      log(`registering namespace ${namespace}`);
      try {
        await connection.withDeadline(Date.now() + callMs, () =>
          connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }),
        );
      } catch (registerError) {
        if (!hasCode(registerError, grpcStatus.ALREADY_EXISTS)) throw registerError;
      }
      registered = true;
      return false;
    }
    // Described is not enough: the frontend's namespace cache must know it before it accepts work.
    await connection.withDeadline(Date.now() + callMs, () => connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 }));
    return true;
  }, stopCheck);
}

/** Makes sure every wanted search attribute is registered on the namespace with the wanted type, adding missing ones. */
async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Readonly<Record<string, SearchAttributeTypeName>>,
  deadline: number,
  log: (msg: string) => void,
  stopCheck?: StopCheck,
): Promise<void> {
  const names = Object.keys(wanted);
  if (names.length === 0) return;
  let added = false;
  await pollUntil(`search attributes ${names.join(', ')} on namespace ${namespace}`, deadline, async () => {
    const listed = await connection.withDeadline(Date.now() + callMs, () => connection.operatorService.listSearchAttributes({ namespace }));
    const existing = { ...(listed.customAttributes ?? {}), ...(listed.systemAttributes ?? {}) };
    const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const [name, type] of Object.entries(wanted)) {
      const want = indexedValueTypes[type];
      const have = existing[name];
      if (have === undefined) missing[name] = want;
      else if (have !== want) {
        throw Object.assign(new Error(`search attribute ${name} exists on namespace ${namespace} as ${typeName(have)}, but Halflife needs ${type}`), {
          fatal: true,
        });
      }
    }
    if (Object.keys(missing).length === 0) return true;
    if (!added) {
      log(`adding search attributes ${Object.keys(missing).join(', ')} to namespace ${namespace}`);
      try {
        await connection.withDeadline(Date.now() + callMs, () => connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing }));
      } catch (err) {
        if (!hasCode(err, grpcStatus.ALREADY_EXISTS)) throw err;
      }
      added = true;
    }
    return false;
  }, stopCheck);
}

/** What must exist on the server: the namespace and its custom search attributes (name → type). */
export interface Wanted {
  namespace: string;
  searchAttributes: Readonly<Record<string, SearchAttributeTypeName>>;
}

/** Waits for the frontend, then prepares namespace and search attributes over one connection. */
export async function prepareNamespace(address: string, wanted: Wanted, deadline: number, register: boolean, log: (msg: string) => void, stopCheck?: StopCheck): Promise<void> {
  let connection: Connection | undefined;
  await pollUntil(`the Temporal frontend on ${address}`, deadline, async () => {
    connection = await openConnection(address, Math.max(1000, Math.min(callMs, deadline - Date.now())));
    return true;
  }, stopCheck);
  if (!connection) throw new Error(`no connection to ${address}`);
  try {
    await ensureNamespace(connection, wanted.namespace, deadline, register, log, stopCheck);
    await ensureSearchAttributes(connection, wanted.namespace, wanted.searchAttributes, deadline, log, stopCheck);
  } finally {
    await connection.close();
  }
}
