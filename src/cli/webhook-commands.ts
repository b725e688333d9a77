/**
 * `halflife webhooks`: the webhook subscriptions with their state and last deliveries, and
 * `add`, `show`, `remove`, `test`, `rotate-secret`, `enable` (docs/webhooks.md). Secrets are read
 * from files (`--secret-file`) and printed only by `add` and `rotate-secret`, once. `--json`
 * prints the HTTP API's shapes.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { createdWebhookResponse, testWebhookResponse, webhookResponse } from '../api/webhook-responses';
import { InvalidConfigError } from '../errors';
import type { DeliveryRecord, WebhookView } from '../webhooks/messages';
import { webhookClientFor } from '../webhooks/client-for-config';
import type { WebhookClient } from '../webhooks/webhook-client';
import { integerOption } from './options';
import { relativeTime, table, type Output } from './output';
import { withClient } from './session';

/** Runs `fn` with a WebhookClient for the configured deployment. */
function withWebhooks<T>(fn: (webhooks: WebhookClient) => Promise<T>): Promise<T> {
  return withClient((client, config) => fn(webhookClientFor(client.temporal, config)));
}

function readSecret(file: string, option: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new InvalidConfigError(option, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function deliveryLine(d: DeliveryRecord, now: number): string[] {
  const what = d.status === 'retrying' && d.nextAttemptAt ? `retrying, next ${relativeTime(d.nextAttemptAt, now)}` : d.status;
  return [relativeTime(d.lastAttemptAt, now), d.type, d.credentialId ?? '-', what, `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`, d.lastError ?? (d.httpStatus ? `HTTP ${d.httpStatus}` : '')];
}

function summaryLines(list: readonly WebhookView[], now: number): string[] {
  if (list.length === 0) return ['no webhook subscriptions (halflife webhooks add --url …)'];
  const lines: string[] = [];
  for (const v of list) {
    const h = v.health;
    lines.push(`${v.id}  ${h.state}${h.reason ? ` (${h.reason})` : ''}  ${v.url}`);
    lines.push(`  events ${v.events.join(', ')}; credentials ${v.credentials}; ${h.delivered} delivered, ${h.failed} failed${v.source === 'config' ? '; configured' : ''}`);
    lines.push(...table(h.deliveries.slice(0, 3).map((d) => deliveryLine(d, now))).map((l) => `  ${l}`));
  }
  return lines;
}

function detailLines(v: WebhookView, now: number): string[] {
  const h = v.health;
  const rows = [
    ['id', v.id],
    ['url', v.url],
    ['events', v.events.join(', ')],
    ['credentials', v.credentials],
    ['state', `${h.state} since ${relativeTime(h.since, now)}${h.reason ? `: ${h.reason}` : ''}`],
    ['deliveries', `${h.delivered} delivered, ${h.failed} failed`],
    ['secrets', `${v.activeSecrets} active${v.previousSecretExpiresAt ? `, the previous one until ${new Date(v.previousSecretExpiresAt).toISOString()}` : ''}`],
    ['source', v.source],
  ];
  if (v.description) rows.push(['description', v.description]);
  return [...table(rows), '', ...(h.deliveries.length > 0 ? table(h.deliveries.map((d) => deliveryLine(d, now))) : ['no deliveries yet'])];
}

/** Adds `webhooks` and its subcommands to `program`. */
export function addWebhookCommands(program: Command, output: () => Output): void {
  const webhooks = program
    .command('webhooks')
    .description('webhook subscriptions: state and last deliveries (subcommands add, show, remove, test, rotate-secret, enable; see docs/webhooks.md)')
    .action(async () => {
      await withWebhooks(async (client) => {
        const list = await client.list();
        output().result({ webhooks: list.map(webhookResponse) }, summaryLines(list, Date.now()));
      });
    });

  webhooks
    .command('add')
    .description('subscribe a URL to credential events; prints the signing secret once')
    .requiredOption('--url <url>', 'where deliveries are POSTed (https, or http on loopback)')
    .option('--events <types>', 'comma-separated event types, or "*" (default: every type but credential.rotated)')
    .option('--credentials <glob>', 'the credentials it covers (default "*")')
    .option('--secret-file <path>', 'a whsec_… secret to use (default: a new one)')
    .option('--description <text>', 'a note for operators')
    .option('--allow-insecure-http', 'allow plain http to a non-loopback host')
    .action(async (opts: { url: string; events?: string; credentials?: string; secretFile?: string; description?: string; allowInsecureHttp?: boolean }) => {
      const body = {
        url: opts.url,
        ...(opts.events !== undefined ? { events: opts.events.split(',').map((e) => e.trim()).filter(Boolean) } : {}),
        ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
        ...(opts.secretFile !== undefined ? { secret: readSecret(opts.secretFile, '--secret-file') } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(opts.allowInsecureHttp ? { allow_insecure_http: true } : {}),
      };
      await withWebhooks(async (client) => {
        const created = await client.create(body);
        output().result(createdWebhookResponse(created), [
          `subscribed ${created.view.id} to ${created.view.events.join(', ')} of ${created.view.credentials}`,
          `signing secret (shown once; keep it where the receiver reads it):`,
          `  ${created.secret}`,
          ...created.warnings.map((w) => `warning: ${w}`),
        ]);
      });
    });

  webhooks
    .command('show')
    .description('one subscription with its last 20 deliveries')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      await withWebhooks(async (client) => {
        const view = await client.get(id);
        output().result(webhookResponse(view), detailLines(view, Date.now()));
      });
    });

  webhooks
    .command('remove')
    .description('remove a subscription made through the API or the CLI')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      await withWebhooks(async (client) => {
        const view = await client.remove(id);
        output().result(webhookResponse(view), `removed ${id}`);
      });
    });

  webhooks
    .command('test')
    .description('send a webhook.test delivery through a worker and print how the receiver took it')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      await withWebhooks(async (client) => {
        const result = await client.test(id);
        const o = result.outcome;
        output().result(testWebhookResponse(result), o.kind === 'delivered' ? `delivered ${result.eventId} (HTTP ${o.httpStatus ?? '?'}, ${Math.round(o.durationMs ?? 0)} ms)` : `not delivered (${o.kind}): ${o.error ?? ''}`);
      });
    });

  webhooks
    .command('rotate-secret')
    .description('give a subscription a new secret; the previous one keeps signing for a while (both signatures are sent)')
    .argument('<id>', 'webhook id')
    .option('--secret-file <path>', 'the new whsec_… secret (default: a new one)')
    .option('--keep-previous <seconds>', 'how long the previous secret keeps signing (default 86400; 0 stops it now)', integerOption('--keep-previous'))
    .action(async (id: string, opts: { secretFile?: string; keepPrevious?: number }) => {
      await withWebhooks(async (client) => {
        const rotated = await client.rotateSecret(id, {
          ...(opts.secretFile !== undefined ? { secret: readSecret(opts.secretFile, '--secret-file') } : {}),
          ...(opts.keepPrevious !== undefined ? { keepPreviousMs: opts.keepPrevious * 1000 } : {}),
        });
        output().result({ ...webhookResponse(rotated.view), secret: rotated.secret }, [`new signing secret of ${id} (shown once):`, `  ${rotated.secret}`]);
      });
    });

  webhooks
    .command('enable')
    .description('set a subscription active again after a 410 Gone or a failed delivery')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      await withWebhooks(async (client) => {
        const view = await client.enable(id);
        output().result(webhookResponse(view), `${id} is ${view.health.state}`);
      });
    });
}
