/**
 * `npm run bench:rotation [-- --no-write]`: time from a scheduled refresh to the rotation event at a
 * Redis subscriber (bench/scenarios/rotation-event.ts). Progress on stderr, one JSON line on stdout,
 * its section of BENCHMARKS.md rewritten.
 */
import { parseArgs } from 'node:util';
import { formatMs, markdownTable } from './measure';
import { machineLines, progress, writeSection } from './report';
import { rotationEvent } from './scenarios/rotation-event';
import { startStack } from './stack';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });

async function main(): Promise<void> {
  const startedAt = new Date();
  const ui = progress('rotation');
  const stack = await startStack((msg) => ui.log(msg));
  try {
    const rot = await rotationEvent(stack, (msg) => ui.log(msg));
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    const table = markdownTable(
      ['interval', 'n', 'p50', 'p95', 'max'],
      [
        ['upstream call reached the provider → subscriber got the event', rot.fromUpstream] as const,
        ['refresh due (`nextRefreshAt`) → subscriber got the event', rot.fromDue] as const,
      ].map(([label, s]) => [label, String(s.n), formatMs(s.p50), formatMs(s.p95), formatMs(s.max)]),
    );
    if (values['no-write'] !== true) {
      writeSection(
        'rotation',
        [
          '## Scheduled refresh → rotation event at a subscriber',
          '',
          `Measured ${startedAt.toISOString()} by \`npm run bench:rotation\` (${seconds.toFixed(0)} s): ${rot.rotations} scheduled refreshes of a credential whose`,
          `token lives ${rot.lifetimeS} s (refreshed at half-life); a TokenClient subscribed to its Redis events. The first interval covers the`,
          'provider answering, the workflow applying the token, the publication, Redis PUBLISH and delivery; the second adds the timer',
          'firing and the workflow task that starts the refresh activity.',
          '',
          ...machineLines(stack.versions),
          '',
          table,
          '',
          '```sh',
          'npm run bench:rotation',
          '```',
        ].join('\n'),
      );
    }
    const ms = (x: number) => Math.round(x * 10) / 10;
    process.stdout.write(
      `${JSON.stringify({ bench: 'rotation', rotations: rot.rotations, lifetime_s: rot.lifetimeS, from_upstream_ms: { p50: ms(rot.fromUpstream.p50), p95: ms(rot.fromUpstream.p95), max: ms(rot.fromUpstream.max) }, from_due_ms: { p50: ms(rot.fromDue.p50), p95: ms(rot.fromDue.p95), max: ms(rot.fromDue.max) } })}\n`,
    );
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`[rotation] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
