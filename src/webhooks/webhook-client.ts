/**
 * WebhookClient: how the HTTP API and the CLI manage subscriptions. Subscriptions made here live
 * in the registry workflow (update-with-start, so the first one starts it); configured ones
 * (`HALFLIFE_WEBHOOKS`) are listed beside them and can be tested and enabled, not removed or
 * rotated (change the configuration). A new subscription's secret is answered once, here.
 */
import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { listCredentials } from '../client/list-query';
import { withDeadline } from '../client/deadline';
import { withUpdateRetries } from '../client/update-calls';
import { defaultEgressPolicy, type EgressPolicy } from '../egress';
import { InvalidConfigError, WebhookConflictError, WebhookNotFoundError, WebhookTestTimeoutError } from '../errors';
import { globToRegExp } from '../glob';
import { freshHealth, viewOf } from '../workflows/webhooks/registry-state';
import { webhookRegistryWorkflow } from '../workflows/webhooks/registry-workflow';
import { webhookTestWorkflow } from '../workflows/webhooks/test-delivery-workflow';
import { testEventType } from './event-types';
import { WebhookDirectory, isWorkflowNotFound } from './directory';
import {
  addWebhookUpdate,
  enableWebhookUpdate,
  removeWebhookUpdate,
  rotateWebhookSecretUpdate,
  webhookListingQuery,
  webhookNotFoundFailureType,
  webhookRefusedFailureType,
  webhookRegistryWorkflowId,
  type RegistryListing,
  type WebhookHealth,
  type WebhookSubscription,
  type WebhookView,
} from './messages';
import { webhookTestWorkflowId, type TestDeliveryResult } from './delivery-messages';
import { defaultDeliveryPolicy, type DeliveryPolicy } from './retry-schedule';
import { generateWebhookSecret, webhookSecretProblem } from './secrets';
import { parseSubscriptionBody } from './subscription-input';

/** Options of `WebhookClient`. */
export interface WebhookClientOptions {
  temporal: Client;
  /** The deployment's task queue (its registry is `webhooks:registry:<task queue>`). */
  taskQueue: string;
  /** The configured subscriptions (`HALFLIFE_WEBHOOKS`). @default none */
  configured?: readonly WebhookSubscription[];
  /** Where subscription URLs may point. @default `defaultEgressPolicy()` */
  egressPolicy?: EgressPolicy;
  /** The policy a test delivery's request timeout comes from. @default `defaultDeliveryPolicy` */
  policy?: DeliveryPolicy;
  /** How long `test` waits for a worker's answer. @default 30_000 */
  testTimeoutMs?: number;
}

/** A subscription just made: its view, its secret (shown this once) and warnings (e.g. a glob that matches no credential yet). */
export interface CreatedWebhook {
  view: WebhookView;
  secret: string;
  warnings: string[];
}

/** Longest wait for a registry update. */
const updateDeadlineMs = 15_000;

/** Translates the registry's refusals into Halflife errors. */
function translate(err: unknown, id?: string): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (type === webhookNotFoundFailureType) return new WebhookNotFoundError(id ?? '?');
    if (type === webhookRefusedFailureType) return new WebhookConflictError(String((e as { message?: unknown }).message), id);
  }
  return err;
}

/** Manages the webhook subscriptions of one deployment. */
export class WebhookClient {
  readonly directory: WebhookDirectory;
  private readonly egressPolicy: EgressPolicy;
  private readonly policy: DeliveryPolicy;

  constructor(private readonly options: WebhookClientOptions) {
    this.directory = new WebhookDirectory(() => options.temporal, options.taskQueue, options.configured ?? []);
    this.egressPolicy = options.egressPolicy ?? defaultEgressPolicy();
    this.policy = options.policy ?? defaultDeliveryPolicy;
  }

  private async listing(): Promise<RegistryListing> {
    try {
      return await this.directory.registry().query(webhookListingQuery);
    } catch (err) {
      if (isWorkflowNotFound(err)) return { subscriptions: [], health: {} };
      throw err;
    }
  }

  private startRegistry() {
    return new WithStartWorkflowOperation(webhookRegistryWorkflow, {
      workflowId: webhookRegistryWorkflowId(this.options.taskQueue),
      taskQueue: this.options.taskQueue,
      args: [{}],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'webhook subscriptions and their deliveries',
    });
  }

  /** Every subscription (configured first), with its health and last deliveries; never a secret. */
  async list(): Promise<WebhookView[]> {
    const listing = await this.listing();
    const now = Date.now();
    const configured = this.directory.configured.map((sub) => viewOf(sub, listing.health[sub.id] ?? freshHealth(now), now));
    return [...configured, ...listing.subscriptions];
  }

  /** One subscription; `WebhookNotFoundError` when there is none. */
  async get(id: string): Promise<WebhookView> {
    const found = (await this.list()).find((v) => v.id === id);
    if (!found) throw new WebhookNotFoundError(id);
    return found;
  }

  /** Validates a `POST /v1/webhooks` body and adds the subscription; answers its secret once. */
  async create(body: unknown): Promise<CreatedWebhook> {
    const req = parseSubscriptionBody(body, this.egressPolicy);
    const now = Date.now();
    const secret = req.secrets[0] ?? generateWebhookSecret();
    const sub: WebhookSubscription = {
      id: `wh_${randomBytes(10).toString('hex')}`,
      url: req.url,
      events: req.events,
      credentials: req.credentials,
      secrets: [{ secret, createdAt: now }],
      createdAt: now,
      source: 'api',
      ...(req.description !== undefined ? { description: req.description } : {}),
    };
    const warnings = await this.globWarnings(req.credentials);
    const view = await this.update(() => this.options.temporal.workflow.executeUpdateWithStart(addWebhookUpdate, { args: [sub], startWorkflowOperation: this.startRegistry() }), sub.id);
    return { view, secret, warnings };
  }

  /** A warning when `glob` matches no credential registered now (it still matches those registered later). */
  private async globWarnings(glob: string): Promise<string[]> {
    if (/^\*+$/.test(glob)) return [];
    const pattern = globToRegExp(glob);
    try {
      const rows = await withDeadline(listCredentials(this.options.temporal), 3_000, () => new Error('listing took too long'));
      return rows.some((r) => pattern.test(r.id)) ? [] : [`credentials: "${glob}" matches no credential registered now; it applies to those registered later`];
    } catch {
      return [];
    }
  }

  private async update<T>(call: () => Promise<T>, id: string): Promise<T> {
    try {
      return await withUpdateRetries(call, { deadlineMs: updateDeadlineMs });
    } catch (err) {
      throw translate(err, id);
    }
  }

  private configuredOnly(id: string, what: string): void {
    if (this.directory.configured.some((s) => s.id === id)) {
      throw new WebhookConflictError(`webhook ${id} is configured (HALFLIFE_WEBHOOKS): ${what} it in the configuration`, id);
    }
  }

  /** Removes a subscription made through the API; answers its last view. */
  async remove(id: string): Promise<WebhookView> {
    this.configuredOnly(id, 'remove');
    return this.update(() => this.directory.registry().executeUpdate(removeWebhookUpdate, { args: [{ id }] }), id).catch((err: unknown) => {
      throw isWorkflowNotFound(err) ? new WebhookNotFoundError(id) : err;
    });
  }

  /** Gives a subscription a new secret (the given one, or a new one); the previous one signs on for `keepPreviousMs`. */
  async rotateSecret(id: string, options: { secret?: string; keepPreviousMs?: number } = {}): Promise<{ view: WebhookView; secret: string }> {
    this.configuredOnly(id, 'rotate the secret of');
    const secret = options.secret ?? generateWebhookSecret();
    const problem = options.secret === undefined ? undefined : webhookSecretProblem(options.secret);
    if (problem) throw new InvalidConfigError('secret', problem);
    const keepPreviousMs = options.keepPreviousMs ?? 86_400_000;
    const view = await this.update(() => this.directory.registry().executeUpdate(rotateWebhookSecretUpdate, { args: [{ id, secret, keepPreviousMs }] }), id).catch((err: unknown) => {
      throw isWorkflowNotFound(err) ? new WebhookNotFoundError(id) : err;
    });
    return { view, secret };
  }

  /** Sets a subscription (configured or not) active again after a 410 or a failure. */
  async enable(id: string): Promise<WebhookView> {
    await this.get(id);
    await this.update<WebhookHealth>(() => this.options.temporal.workflow.executeUpdateWithStart(enableWebhookUpdate, { args: [{ id }], startWorkflowOperation: this.startRegistry() }), id);
    return this.get(id);
  }

  /** Sends a `webhook.test` delivery through a worker and answers how the receiver took it. */
  async test(id: string): Promise<TestDeliveryResult> {
    await this.get(id);
    const nonce = randomBytes(6).toString('hex');
    const event = { id: `test_${nonce}`, type: testEventType, at: Date.now(), data: { subscriptionId: id, message: 'a test delivery from Halflife' } };
    const timeoutMs = this.options.testTimeoutMs ?? 30_000;
    const run = this.options.temporal.workflow.execute(webhookTestWorkflow, {
      workflowId: webhookTestWorkflowId(id, nonce),
      taskQueue: this.options.taskQueue,
      args: [{ subscriptionId: id, event, policy: this.policy }],
      workflowExecutionTimeout: timeoutMs + 60_000,
      staticSummary: `test delivery to webhook ${id}`,
    });
    return withDeadline(run, timeoutMs, () => new WebhookTestTimeoutError(id, Math.round(timeoutMs / 1000)));
  }
}
