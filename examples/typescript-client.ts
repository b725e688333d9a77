/**
 * A consumer service using Halflife from TypeScript: it calls an API with a token that Halflife keeps
 * fresh. `withToken` reads the token (in-process cache → Redis → workflow) and, when the API answers
 * 401, asks for a token newer than the one that failed and retries once.
 *
 * Run it from the repository root next to `npm start` (it reads the development key ring in
 * .halflife/, or HALFLIFE_ENCRYPTION_KEYS), for a credential registered as in examples/curl.sh:
 *
 *   CREDENTIAL_ID=my-api API_URL=http://127.0.0.1:<fake port>/resource npx tsx examples/typescript-client.ts
 *
 * Environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default 'default'),
 * REDIS_URL (optional: without it reads are workflow queries), HALFLIFE_STATE_DIR (default .halflife).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { TokenClient, connectTemporal, createDataConverter, parseKeyring, type TokenView } from '../src';

/** An HTTP failure; `status` is what `withToken`'s default `isAuthError` looks at. */
class HttpError extends Error {
  constructor(readonly status: number, body: string) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** Calls the API with the token; throws HttpError on a non-2xx answer. */
async function callApi(url: string, token: TokenView): Promise<unknown> {
  const response = await fetch(url, { headers: { Authorization: `${token.tokenType} ${token.accessToken}` } });
  const body = await response.text();
  if (!response.ok) throw new HttpError(response.status, body);
  return JSON.parse(body) as unknown;
}

/** The key ring payloads are encrypted with: HALFLIFE_ENCRYPTION_KEYS, else the service's development key ring. */
function keyring() {
  const fromEnv = process.env.HALFLIFE_ENCRYPTION_KEYS;
  if (fromEnv) return parseKeyring(fromEnv);
  const file = path.join(process.env.HALFLIFE_STATE_DIR ?? '.halflife', 'encryption-keys');
  return parseKeyring(fs.readFileSync(file, 'utf8'), file);
}

async function main(): Promise<void> {
  const id = process.env.CREDENTIAL_ID;
  const url = process.env.API_URL;
  if (!id || !url) throw new Error('set CREDENTIAL_ID and API_URL');

  const connection = await connectTemporal({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  // Redis is only a mirror: fail fast while it is away, the client falls back to the workflow.
  const redis = process.env.REDIS_URL
    ? new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 1000 }).on('error', () => undefined)
    : undefined;
  const client = new TokenClient({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    redis,
    dataConverter: createDataConverter(keyring()),
  });
  try {
    for (let i = 1; i <= 3; i++) {
      const answer = await client.withToken(id, async (token) => {
        console.log(`call ${i}: token v${token.version}, ${Math.round((token.expiresAt - Date.now()) / 1000)} s left`);
        return callApi(url, token);
      });
      console.log(`call ${i}: ${JSON.stringify(answer)}`);
    }
  } finally {
    await client.close();
    redis?.disconnect();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
