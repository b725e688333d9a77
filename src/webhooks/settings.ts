/**
 * The webhook settings of a process, from the environment (parsed once, at the edge): the
 * configured subscriptions (`HALFLIFE_WEBHOOKS` JSON, or the file `HALFLIFE_WEBHOOKS_FILE`) and
 * the retry policy (`HALFLIFE_WEBHOOK_RETRY_INITIAL_S`, `HALFLIFE_WEBHOOK_RETRY_MAX_S`,
 * `HALFLIFE_WEBHOOK_GIVE_UP_S`, `HALFLIFE_WEBHOOK_TIMEOUT_S`). A bad value is an
 * `InvalidConfigError` naming the variable (and the entry's field).
 */
import fs from 'node:fs';
import type { EgressPolicy } from '../egress';
import { InvalidConfigError } from '../errors';
import type { WebhookSubscription } from './messages';
import { defaultDeliveryPolicy, type DeliveryPolicy } from './retry-schedule';
import { parseConfiguredWebhooks } from './subscription-input';

/** A process's webhook settings. */
export interface WebhookSettings {
  /** Subscriptions from the configuration (`source: 'config'`). @default none */
  subscriptions: WebhookSubscription[];
  /** @default `defaultDeliveryPolicy` */
  policy: DeliveryPolicy;
}

/** The environment variables read here. */
export const webhookVariables = {
  subscriptions: 'HALFLIFE_WEBHOOKS',
  file: 'HALFLIFE_WEBHOOKS_FILE',
  initial: 'HALFLIFE_WEBHOOK_RETRY_INITIAL_S',
  max: 'HALFLIFE_WEBHOOK_RETRY_MAX_S',
  giveUp: 'HALFLIFE_WEBHOOK_GIVE_UP_S',
  timeout: 'HALFLIFE_WEBHOOK_TIMEOUT_S',
} as const;

/** `WebhookSettings` with every default filled in. */
export function withWebhookDefaults(settings: { subscriptions?: WebhookSubscription[]; policy?: Partial<DeliveryPolicy> } = {}): WebhookSettings {
  return { subscriptions: settings.subscriptions ?? [], policy: { ...defaultDeliveryPolicy, ...settings.policy } };
}

function seconds(env: Record<string, string | undefined>, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new InvalidConfigError(name, `must be a number of seconds between ${min} and ${max}`);
  return Math.round(value * 1000);
}

/** Reads the settings from `env`; `policy` checks the configured URLs (the same egress policy the process applies). */
export function webhookSettingsFromEnv(
  env: Record<string, string | undefined>,
  policy: EgressPolicy,
  readFile: (path: string) => string = (file) => fs.readFileSync(file, 'utf8'),
): WebhookSettings {
  const v = webhookVariables;
  if (env[v.subscriptions] && env[v.file]) throw new InvalidConfigError(v.file, `set either ${v.subscriptions} or ${v.file}, not both`);
  let json = env[v.subscriptions];
  const file = env[v.file];
  if (!json && file) {
    try {
      json = readFile(file);
    } catch (err) {
      throw new InvalidConfigError(v.file, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  const retry = {
    initialIntervalMs: seconds(env, v.initial, 0.05, 3600),
    maxIntervalMs: seconds(env, v.max, 0.05, 86_400),
    giveUpAfterMs: seconds(env, v.giveUp, 1, 7 * 86_400),
    requestTimeoutMs: seconds(env, v.timeout, 1, 120),
  };
  const given = Object.fromEntries(Object.entries(retry).filter(([, value]) => value !== undefined)) as Partial<DeliveryPolicy>;
  const settings = withWebhookDefaults({ subscriptions: json ? parseConfiguredWebhooks(json, policy, file && !env[v.subscriptions] ? v.file : v.subscriptions) : [], policy: given });
  if (settings.policy.maxIntervalMs < settings.policy.initialIntervalMs) throw new InvalidConfigError(v.max, `must be at least ${v.initial}`);
  return settings;
}
