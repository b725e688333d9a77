/**
 * `npm run bench`: every benchmark in turn (read, storm, rotation, durability), each in its own process with
 * its own servers, each rewriting its section of BENCHMARKS.md. Arguments are passed to each.
 * Exits with the first non-zero exit code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benches = ['read', 'storm', 'rotation', 'durability'];
let exitCode = 0;
for (const name of benches) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, `${name}.ts`), ...process.argv.slice(2)], { stdio: 'inherit' });
  const code = run.status ?? 1;
  if (code !== 0 && exitCode === 0) exitCode = code;
}
process.exit(exitCode);
