/**
 * `npm run bench`: every benchmark in turn (read, storm, rotation, durability), each in its own process with
 * its own servers, each rewriting its section of BENCHMARKS.md. Arguments are passed to each.
 * `--with-fleet` adds the fleet ladder (long: one token lifetime per step; its own arguments go
 * after `--fleet`, e.g. `npm run bench -- --with-fleet --fleet --ladder 500,1000 --lifetime 120`).
 * Exits with the first non-zero exit code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const argv = process.argv.slice(2);
const fleetAt = argv.indexOf('--fleet');
const common = (fleetAt >= 0 ? argv.slice(0, fleetAt) : argv).filter((a) => a !== '--with-fleet');
const fleetArgs = fleetAt >= 0 ? argv.slice(fleetAt + 1) : [];
const benches = ['read', 'storm', 'rotation', 'durability', ...(argv.includes('--with-fleet') ? ['fleet'] : [])];
let exitCode = 0;
for (const name of benches) {
  const args = name === 'fleet' ? [...common.filter((a) => a === '--no-write'), ...fleetArgs] : common;
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, `${name}.ts`), ...args], { stdio: 'inherit' });
  const code = run.status ?? 1;
  if (code !== 0 && exitCode === 0) exitCode = code;
}
process.exit(exitCode);
