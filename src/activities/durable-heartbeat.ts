/**
 * A heartbeat the activity can wait for. `Context.heartbeat()` only queues its details (the SDK
 * sends them later and never says when the server has them), so it cannot make an answer
 * durable. This calls the server's `RecordActivityTaskHeartbeat` directly with the activity's task
 * token and the details encoded by the worker's own converter and codec (encrypted), and resolves
 * once the server acknowledged them. The next attempt of the activity reads them as
 * `heartbeatDetails`. Every heartbeat of the refresh activity goes through here (the SDK's would
 * overwrite the saved details); the answer also tells whether cancellation was requested.
 */
import { defaultPayloadConverter, type PayloadCodec } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';

/** Records heartbeats and waits for the server to have them. */
export interface DurableHeartbeat {
  /** Records `details` for the attempt of `taskToken`; resolves with whether cancellation was requested. */
  record(taskToken: Uint8Array, details: unknown): Promise<{ cancelRequested: boolean }>;
}

/** Options of `createDurableHeartbeat`. */
export interface DurableHeartbeatOptions {
  connection: NativeConnection;
  namespace: string;
  identity: string;
  /** The worker's payload codecs, in the order the worker applies them. */
  codecs: readonly PayloadCodec[];
}

/** A `DurableHeartbeat` over the worker's own connection. */
export function createDurableHeartbeat(options: DurableHeartbeatOptions): DurableHeartbeat {
  return {
    async record(taskToken, details) {
      let payloads = [defaultPayloadConverter.toPayload(details)];
      for (const codec of options.codecs) payloads = await codec.encode(payloads);
      const response = await options.connection.workflowService.recordActivityTaskHeartbeat({
        taskToken,
        details: { payloads },
        identity: options.identity,
        namespace: options.namespace,
      });
      return { cancelRequested: Boolean(response.cancelRequested) };
    },
  };
}
