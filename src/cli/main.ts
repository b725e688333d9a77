#!/usr/bin/env node
/**
 * `halflife`: the service (`start`, `worker`, `api`), the credential commands, `webhooks`, `watch`, `demo`
 * and `fake`. Every command takes `--json`; exit codes are listed by `halflife --help`.
 */
import { Command, CommanderError } from 'commander';
import { addConnectCommand } from './connect-command';
import { addCredentialCommands } from './credential-commands';
import { addDemoCommand } from './demo';
import { exitCodeHelp, exitCodeOf, exitCodes } from './exit-codes';
import { addFakeCommand } from './fake-command';
import { Output } from './output';
import { addServiceCommands } from './service-commands';
import { addWatchCommand } from './watch';
import { addWebhookCommands } from './webhook-commands';

/** The version in package.json (two folders up from both src/cli and dist/cli). */
function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** Builds the command tree (exported for tests and embedding). */
export function buildProgram(): Command {
  const program = new Command('halflife')
    .description('Halflife keeps third-party API tokens fresh: one Temporal workflow per credential.')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print JSON (the HTTP API\'s shapes) instead of text')
    .addHelpText(
      'after',
      `\nConfiguration comes from the environment (TEMPORAL_ADDRESS, REDIS_URL, HALFLIFE_*); see the README.\n\n${exitCodeHelp}`,
    )
    .showHelpAfterError()
    .exitOverride();
  const output = () => new Output(Boolean(program.opts<{ json?: boolean }>().json));
  addServiceCommands(program, output);
  addCredentialCommands(program, output);
  addConnectCommand(program, output);
  addWatchCommand(program, output);
  addWebhookCommands(program, output);
  addDemoCommand(program, output);
  addFakeCommand(program, output);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI with `argv` and resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return exitCodes.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; commander already printed the usage problem.
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.invalidInput;
    }
    new Output(argv.includes('--json')).error(err);
    return exitCodeOf(err);
  }
}

if (require.main === module) {
  // Exit explicitly: a connection or child process left open by a failed command must not keep
  // the CLI hanging (stdout and stderr are synchronous for files and pipes, so nothing is lost).
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`halflife: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(exitCodes.failure);
    },
  );
}
