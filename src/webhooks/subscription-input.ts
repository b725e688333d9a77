/**
 * What a webhook subscription may say, as `POST /v1/webhooks` bodies and `HALFLIFE_WEBHOOKS`
 * entries write it (snake_case), validated with one schema: a bad field is an
 * `InvalidConfigError` naming it (`events.1`, `HALFLIFE_WEBHOOKS[0].url`) and, for a URL the
 * egress policy refuses, the rule. Never quotes a secret.
 *
 * - `url`: absolute http(s), canonical, no credentials or fragment, no secret-looking query;
 *   allowed by the egress policy; `https` unless on loopback or `allow_insecure_http: true`.
 * - `events`: known types, or `["*"]` alone; omitted: every type but the opt-in ones.
 * - `credentials`: a glob that can match a credential id (default `*`).
 * - `secret` (`whsec_…`): omitted in the API, Halflife makes one; configured entries give
 *   `secret` or `secrets` (two during a rotation, newest first).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EgressPolicy } from '../egress';
import { InvalidConfigError } from '../errors';
import { credentialGlobPattern } from '../glob';
import { insecureUrlProblem, issueRule, outboundUrl } from '../providers/url';
import { defaultEventTypes, credentialEventTypes, isCredentialEventType } from './event-types';
import { webhookIdPattern, type WebhookSubscription } from './messages';
import { webhookSecretProblem } from './secrets';

/** The snake_case field names of subscription bodies and entries (shown as they are in errors). */
export const subscriptionFieldNames = ['id', 'url', 'events', 'credentials', 'secret', 'secrets', 'description', 'allow_insecure_http', 'keep_previous_s'] as const;

/** A validated subscription, before it gets its id, secrets and creation time. */
export interface SubscriptionRequest {
  url: string;
  events: string[];
  credentials: string;
  /** Newest first; empty when the API is to make one. */
  secrets: string[];
  description?: string;
  /** Configured entries only. */
  id?: string;
}

const secret = z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
  const problem = webhookSecretProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const events = z
  .array(z.string({ error: 'must be a string' }), { error: 'must be a list of event types, or ["*"]' })
  .min(1, 'must name at least one event type, or be ["*"]')
  .superRefine((list, ctx) => {
    list.forEach((type, i) => {
      if (type === '*' && list.length > 1) ctx.addIssue({ code: 'custom', path: [i], message: '"*" selects every type: give it alone' });
      else if (type !== '*' && !isCredentialEventType(type)) ctx.addIssue({ code: 'custom', path: [i], message: `unknown event type; one of ${credentialEventTypes.join(', ')}, or "*"` });
    });
  });

const credentials = z
  .string({ error: 'must be a glob over credential ids' })
  .regex(credentialGlobPattern, 'must be a glob of 1-128 letters, digits, ".", "_", "-", "*" or "?"')
  .refine((g) => /^[A-Za-z0-9*?]/.test(g), 'matches no credential: ids start with a letter or digit');

const configuredFields = {
  id: z
    .string({ error: 'must be a string' })
    .regex(webhookIdPattern, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
    .refine((id) => !id.startsWith('wh_'), 'must not start with wh_ (kept for subscriptions made through the API)')
    .optional(),
  secrets: z.array(secret, { error: 'must be a list of one or two secrets' }).min(1, 'must list one or two secrets').max(2, 'must list one or two secrets').optional(),
};

type Parsed = { url: string; allow_insecure_http?: boolean; secret?: string; secrets?: string[] };

/** The rules across fields: plain http only where allowed; a configured entry brings a secret. */
function acrossFields(configured: boolean) {
  return (body: Parsed, ctx: z.RefinementCtx): void => {
    const problem = insecureUrlProblem(body.url, body.allow_insecure_http);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem.replace('allowInsecureHttp', 'allow_insecure_http') });
    if (configured && body.secret === undefined && body.secrets === undefined) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is required (or secrets): a configured subscription brings its own' });
    if (body.secret !== undefined && body.secrets !== undefined) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'give secret or secrets, not both' });
  };
}

function apiFields(policy: EgressPolicy) {
  return {
    url: outboundUrl(policy),
    events: events.optional(),
    credentials: credentials.optional(),
    description: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    allow_insecure_http: z.boolean({ error: 'must be true or false' }).optional(),
    secret: secret.optional(),
  };
}

/** The schema of `POST /v1/webhooks` bodies (the OpenAPI document is generated from it). */
export function subscriptionBodySchema(policy: EgressPolicy) {
  return z.strictObject(apiFields(policy)).superRefine(acrossFields(false));
}

function configuredSchema(policy: EgressPolicy) {
  return z.strictObject({ ...apiFields(policy), ...configuredFields }).superRefine(acrossFields(true));
}

function fieldError(error: z.ZodError, prefix: string | undefined, join: (path: string[]) => string): InvalidConfigError {
  const issue = error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : (issue?.path ?? []).map(String);
  const field = join(path.length > 0 ? path : ['body']);
  const reason = issue?.code === 'unrecognized_keys' ? 'is not a field of a webhook subscription' : (issue?.message ?? 'is invalid');
  const rule = issueRule(issue);
  return new InvalidConfigError(prefix ? `${prefix}${field}` : field, reason, rule ? { rule } : undefined);
}

function requestOf(parsed: { url: string; events?: string[]; credentials?: string; description?: string; secret?: string; secrets?: string[]; id?: string }): SubscriptionRequest {
  return {
    url: parsed.url,
    events: parsed.events ? [...new Set(parsed.events)] : [...defaultEventTypes],
    credentials: parsed.credentials ?? '*',
    secrets: parsed.secrets ?? (parsed.secret !== undefined ? [parsed.secret] : []),
    ...(parsed.description !== undefined ? { description: parsed.description } : {}),
    ...(parsed.id !== undefined ? { id: parsed.id } : {}),
  };
}

/** Validates a `POST /v1/webhooks` body; errors name the snake_case field (`events.1`). */
export function parseSubscriptionBody(body: unknown, policy: EgressPolicy): SubscriptionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidConfigError('body', 'must be a JSON object with at least url');
  const parsed = subscriptionBodySchema(policy).safeParse(body);
  if (!parsed.success) throw fieldError(parsed.error, undefined, (p) => p.join('.'));
  return requestOf(parsed.data);
}

/** The id of a configured entry that names none: `cfg-` and 10 hex digits of the URL's digest. */
export function configuredWebhookId(url: string): string {
  return `cfg-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;
}

/** Validates the JSON of `HALFLIFE_WEBHOOKS` (a list of entries); errors name `<source>[i].field`. */
export function parseConfiguredWebhooks(json: string, policy: EgressPolicy, source = 'HALFLIFE_WEBHOOKS'): WebhookSubscription[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidConfigError(source, 'is not valid JSON (expected a list of { "url", "events", "credentials", "secret" })');
  }
  if (!Array.isArray(value)) throw new InvalidConfigError(source, 'must be a JSON list of subscriptions');
  const seen = new Set<string>();
  return value.map((entry, i): WebhookSubscription => {
    const at = `${source}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InvalidConfigError(at, 'must be an object with url and secret');
    const parsed = configuredSchema(policy).safeParse(entry);
    if (!parsed.success) throw fieldError(parsed.error, at, (p) => p.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join(''));
    const req = requestOf(parsed.data);
    const id = req.id ?? configuredWebhookId(req.url);
    if (seen.has(id)) throw new InvalidConfigError(`${at}.id`, req.id ? 'is used twice' : 'is needed: another entry has the same url (give each an id)');
    seen.add(id);
    return {
      id,
      url: req.url,
      events: req.events,
      credentials: req.credentials,
      secrets: req.secrets.map((s) => ({ secret: s, createdAt: 0 })),
      createdAt: 0,
      source: 'config',
      ...(req.description !== undefined ? { description: req.description } : {}),
    };
  });
}
