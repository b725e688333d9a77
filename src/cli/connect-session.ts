/** The ConnectClient of CLI commands: the TokenClient's Temporal client, the configured public URL, issuer discovery through the egress policy. */
import type { HalflifeConfig } from '../config';
import { ConnectClient } from '../connect/connect-client';
import { createEgressFetch, egressPolicyFromEnv } from '../egress';
import type { OpenedTokenClient } from '../service/connections';

/** A ConnectClient for the configured deployment, on `client`'s connection. */
export function connectClientFor(client: OpenedTokenClient, config: HalflifeConfig): ConnectClient {
  return new ConnectClient({
    temporal: client.temporal,
    taskQueue: config.taskQueue,
    publicUrl: config.publicUrl,
    fetch: createEgressFetch(egressPolicyFromEnv(process.env, { development: !config.production })),
  });
}
