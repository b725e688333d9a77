/** The configuration and TokenClient a CLI command works with, opened on demand and always closed. */
import { loadConfig, type HalflifeConfig } from '../config';
import { openTokenClient, type OpenedTokenClient } from '../service/connections';

/** Runs `fn` with a TokenClient for the configured deployment, closing it afterwards. */
export async function withClient<T>(fn: (client: OpenedTokenClient, config: HalflifeConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await openTokenClient(config, { createKeys: false, connectTimeoutMs: 5000 });
  try {
    return await fn(client, config);
  } finally {
    await client.shutdown();
  }
}
