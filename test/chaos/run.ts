/**
 * `npm run chaos [-- flags]`: the fault-injection suite. Starts its own deployment (Temporal dev
 * server with SQLite, Redis, the API process, worker processes), runs scenarios 1–8 (or `--only
 * 1,4`, or the soak with `--soak 30m`), prints one summary line per scenario and, as its last
 * line, one JSON object with the run's figures; a full run rewrites RELIABILITY.md's chaos
 * sections. Progress goes to stderr (one line rewritten in place on a terminal). Flags: see
 * ./options.ts; the scenarios are in ./scenarios/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { progress } from '../../bench/report';
import { parseChaosOptions } from './options';
import { runScenarios } from './suite';
import { startChaosStack } from './stack';
import { measureCrashWindow } from './crash-window';
import { writeReliability } from './reliability-md';

/** Where the run's full figures go (the last line is the summary only). */
const detailsFile = path.join(__dirname, '..', '..', '.halflife', 'chaos', 'last-run.json');

async function main(): Promise<void> {
  const options = parseChaosOptions(process.argv.slice(2));
  const ui = progress('chaos');
  const started = new Date();
  ui.log(`scenarios ${options.only.join(', ')}${options.soakMs ? `, soak ${Math.round(options.soakMs / 60_000)} min` : ''}; ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}`);
  const stack = await startChaosStack((msg) => ui.log(msg));
  let failed = false;
  try {
    const tag = randomBytes(3).toString('hex');
    const result = await runScenarios(stack, options, {
      tag,
      step: (label, index, total) => ui.step(index, total, label),
      log: (line) => ui.log(line),
      summary: (line) => {
        ui.done();
        process.stdout.write(`${line}\n`);
      },
    });
    ui.done();
    const fullRun = options.only.length === 8 && options.soakMs === 0;
    if (options.write && (fullRun || options.soakMs > 0)) {
      ui.step(1, 1, 'measuring the crash window (bench/durability.ts)');
      const durability = fullRun && options.durability ? await measureCrashWindow((line) => ui.step(1, 1, line)) : undefined;
      ui.done();
      writeReliability(result, { startedAt: started, versions: stack.versions, options, ...(durability ? { durability } : {}) });
      ui.log('wrote RELIABILITY.md');
    }
    fs.mkdirSync(path.dirname(detailsFile), { recursive: true });
    fs.writeFileSync(detailsFile, JSON.stringify({ summary: result.summary, scenarios: result.scenarios, apiErrorLines: stack.api.errorLines }, null, 1));
    ui.log(`every scenario's figures: ${path.relative(process.cwd(), detailsFile)}`);
    process.stdout.write(`${JSON.stringify(result.summary)}\n`);
  } catch (err) {
    failed = true;
    ui.log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await stack.close().catch(() => undefined);
  }
  process.exit(failed ? 1 : 0);
}

void main();
