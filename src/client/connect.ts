/**
 * Temporal connections for consumers. The retry policy is the SDK's default except for the
 * server's "too many in-flight updates" answer: retrying it blindly only adds load, so it reaches
 * the TokenClient, which waits for the newer version instead.
 */
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';

/** True for the server's answer when a workflow already has the maximum of in-flight updates. */
export function isUpdateLimitStatus(status: { code?: number; details?: string }): boolean {
  return status.code === grpcStatus.RESOURCE_EXHAUSTED && /in-flight update/i.test(status.details ?? '');
}

/** Opens a connection whose retries skip the in-flight update limit. */
export async function connectTemporal(options: ConnectionOptions): Promise<Connection> {
  const defaults = defaultGrpcRetryOptions();
  return Connection.connect({
    ...options,
    interceptors: [
      makeGrpcRetryInterceptor({
        delayFunction: defaults.delayFunction,
        retryableDecider: (attempt, status) => !isUpdateLimitStatus(status) && defaults.retryableDecider(attempt, status),
      }),
      ...(options.interceptors ?? []),
    ],
  });
}
