/**
 * Where a process finds the subscriptions: its configured ones (`HALFLIFE_WEBHOOKS`) and the
 * registry workflow's (a query that answers secrets inside encrypted payloads). The notifier
 * matches events against them and the delivery activity looks its subscription up on every
 * attempt, so a removal, a 410 or a rotated secret applies to deliveries already queued.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { webhookRegistryWorkflow } from '../workflows/webhooks/registry-workflow';
import { webhookRegistryWorkflowId, webhookTargetsQuery, type RegistryTargets, type WebhookSubscription, type WebhookTarget } from './messages';

/** True when `err` says the workflow does not exist. */
export function isWorkflowNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { name?: unknown } | null)?.name === 'WorkflowNotFoundError';
}

/** The subscriptions of one deployment (task queue). */
export class WebhookDirectory {
  private ensured?: Promise<void>;

  constructor(
    private readonly temporal: () => Client,
    /** The task queue of the deployment (its registry is `webhooks:registry:<task queue>`). */
    readonly taskQueue: string,
    /** The configured subscriptions. */
    readonly configured: readonly WebhookSubscription[],
  ) {}

  /** The registry workflow's handle. */
  registry() {
    return this.temporal().workflow.getHandle(webhookRegistryWorkflowId(this.taskQueue));
  }

  /** The registry's subscriptions and states; empty when it was never started. */
  async registryTargets(): Promise<RegistryTargets> {
    try {
      return await this.registry().query(webhookTargetsQuery);
    } catch (err) {
      if (isWorkflowNotFound(err)) return { targets: [], states: {} };
      throw err;
    }
  }

  /** Every subscription with its state: the configured ones, then the registry's. */
  async targets(): Promise<WebhookTarget[]> {
    const registry = await this.registryTargets();
    return [...this.configured.map((subscription) => ({ subscription, state: registry.states[subscription.id] ?? ('active' as const) })), ...registry.targets];
  }

  /** The subscription `id` with its state, or undefined when there is none. */
  async find(id: string): Promise<WebhookTarget | undefined> {
    return (await this.targets()).find((t) => t.subscription.id === id);
  }

  /** Starts the registry unless it runs (once per process), so delivery reports always have a recipient. */
  ensureRegistry(): Promise<void> {
    this.ensured ??= this.temporal()
      .workflow.start(webhookRegistryWorkflow, { workflowId: webhookRegistryWorkflowId(this.taskQueue), taskQueue: this.taskQueue, args: [{}], workflowIdConflictPolicy: 'USE_EXISTING', staticSummary: 'webhook subscriptions and their deliveries' })
      .then(() => undefined)
      .catch((err: unknown) => {
        this.ensured = undefined;
        throw err;
      });
    return this.ensured;
  }
}
