/**
 * `npx tsx scripts/ensure-tools.ts`: makes sure this machine has what the tests need, the Temporal
 * CLI (dev server) and `redis-server`, reusing what is there and building or installing the rest.
 * Run by `.ci/run` before the tests.
 */
import { ensureTemporalCli } from '../src/dev/temporal-cli';
import { ensureRedisServerBinary } from './redis-server';

/** Finds or provides both tools; resolves to their paths. */
export async function ensureTools(log: (msg: string) => void = (msg) => console.log(`[tools] ${msg}`)): Promise<{ temporal: string; redisServer: string }> {
  const [temporal, redisServer] = await Promise.all([ensureTemporalCli({ log }), ensureRedisServerBinary({ log })]);
  return { temporal, redisServer };
}

if (require.main === module) {
  ensureTools().then(
    (tools) => console.log(`[tools] temporal: ${tools.temporal}\n[tools] redis-server: ${tools.redisServer}`),
    (err: unknown) => {
      console.error(`[tools] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
