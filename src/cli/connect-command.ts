/**
 * `halflife connect <id>`: prints a one-time connect link (or, with `--device`, a verification
 * URL and a user code) that gives the credential a grant when a person authorizes at the
 * provider; `--open` opens the link in the desktop browser, `--wait` (implied by `--device`)
 * waits for the outcome. The settings are the body of `POST /v1/credentials/{id}/connect`
 * (`--file`, so the client secret stays off the command line); see docs/connect.md.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { createConnectSession } from '../api/connect-actions';
import { createdSessionResponse, outcomeResponse, sessionResponse } from '../api/connect-responses';
import type { ConnectSessionView } from '../connect/messages';
import { SymbolBasedInstanceOfError } from '@temporalio/common/lib/type-helpers';
import { HalflifeError } from '../errors';
import { readJsonObject } from './input';
import { connectClientFor } from './connect-session';
import { integerOption } from './options';
import { relativeTime, type Output } from './output';
import { withClient } from './session';

/** Options of `connect`. */
interface ConnectOptions {
  file?: string;
  provider?: string;
  preset?: string;
  device?: boolean;
  open?: boolean;
  wait?: boolean;
  expiresIn?: number;
}

/** A session that ended without a grant, as a CLI failure (exit code 1; `--json` prints the outcome's code). */
@SymbolBasedInstanceOfError('ConnectNotCompletedError')
class ConnectNotCompletedError extends HalflifeError {}

/** Opens `url` in the desktop browser; resolves false when no opener could be started. */
function openInBrowser(url: string): Promise<boolean> {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Human lines for the end of a session. */
function outcomeLines(view: ConnectSessionView): string {
  const o = view.outcome;
  if (!o) return `still pending: ${view.status}`;
  return o.result === 'connected' ? `connected ${view.credentialId}: ${o.message}` : `not connected (${o.code}): ${o.message}`;
}

/** Adds `connect` to `program`. */
export function addConnectCommand(program: Command, output: () => Output): void {
  program
    .command('connect')
    .description('print a one-time link (or a device code) that gives a credential a new grant when a person authorizes; see docs/connect.md')
    .argument('<id>', 'credential id (new, or existing: e.g. one in reauth_required)')
    .option('-f, --file <path>', 'connect settings as JSON (client_id, client_secret, issuer or endpoints, scope, …), or - for stdin')
    .option('--provider <name>', 'oauth2 (the only provider with an authorization step)')
    .option('--preset <name>', 'take endpoints, client authentication, scopes and extra parameters from a provider preset')
    .option('--device', 'the device authorization grant: print a verification URL and a user code, then wait')
    .option('--open', 'open the link in the desktop browser')
    .option('--wait', 'wait until the person has authorized (or the link expired) and print the outcome')
    .option('--expires-in <seconds>', 'how long the link stays valid (default 900)', integerOption('--expires-in', 5))
    .action(async (id: string, opts: ConnectOptions) => {
      const body: Record<string, unknown> = opts.file ? await readJsonObject(opts.file, '--file') : {};
      if (opts.provider !== undefined) body.provider = opts.provider;
      if (opts.preset !== undefined) body.preset = opts.preset;
      if (opts.device) body.mode = 'device';
      if (opts.expiresIn !== undefined) body.expires_in_s = opts.expiresIn;
      const out = output();
      await withClient(async (client, config) => {
        const connect = connectClientFor(client, config);
        const created = await createConnectSession(connect, client, id, body, 'cli');
        const device = created.view?.device;
        if (created.url) {
          out.result(createdSessionResponse(created), [
            `Open this link to connect ${id} (one use, expires ${relativeTime(created.expiresAt)}):`,
            `  ${created.url}`,
            `The provider must accept the redirect URI ${connect.redirectUri}`,
          ]);
          if (opts.open && !(await openInBrowser(created.url))) out.note('could not start a browser here; open the link yourself');
        } else if (device) {
          out.result(createdSessionResponse(created), [
            `On any device, open ${device.verificationUri} and enter the code ${device.userCode}`,
            ...(device.verificationUriComplete ? [`  (or open ${device.verificationUriComplete})`] : []),
            `Waiting for the authorization (expires ${relativeTime(device.expiresAt)}; Ctrl-C stops waiting, not the session)…`,
          ]);
        }
        if (!opts.wait && !opts.device) return;
        const ended = created.view?.outcome ? created.view : await connect.wait(created.session);
        out.result({ ...sessionResponse(ended), ...(ended.outcome ? { outcome: outcomeResponse(ended.outcome) } : {}) }, outcomeLines(ended));
        if (ended.outcome && ended.outcome.result !== 'connected') throw new ConnectNotCompletedError(ended.outcome.message, ended.outcome.code);
      });
    });
}
