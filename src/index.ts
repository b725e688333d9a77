/**
 * The `halflife` package: the TokenClient consumers use, what it needs to connect (Temporal
 * connection, encrypting data converter), the error classes and their codes, the message
 * definitions, and the worker for services that run their own.
 *
 * Every export is listed by name, so nothing becomes public by being added to a module. Left out
 * on purpose: the workflow and activity implementations (run them through `createCredentialWorker`),
 * the providers and fakes, the webhook workflows, the HTTP API and CLI (run them with `halflife start|api`), the Redis
 * key layout, and the dev tooling.
 */

// Consumers
export { TokenClient, type TokenClientOptions, type CredentialSummary, type Registration } from './client/token-client';
export { connectTemporal } from './client/connect';
export { isAuthError } from './client/auth-errors';
export type { RegisterInput } from './client/registration';
export type { CredentialListener } from './client/subscriptions';
export type { ListFilter } from './client/list-query';
export type { CredentialEvent } from './redis/token-cache';

// Encryption
export { createDataConverter, createWorkerDataConverter } from './codec/data-converter';
export { Keyring, parseKeyring, generateKey } from './codec/keyring';
export { AesGcmCodec } from './codec/aes-gcm-codec';

// Running a worker, configuration
export { createCredentialWorker, type CredentialWorkerOptions } from './worker';
export { loadConfig, withConfigDefaults, type HalflifeConfig, type HalflifeConfigInput } from './config';
export { openTokenClient, type OpenedTokenClient } from './service/connections';

// Errors
export {
  errorCodes,
  type ErrorCode,
  isHalflifeError,
  HalflifeError,
  InvalidConfigError,
  CredentialNotFoundError,
  CredentialExistsError,
  ReauthRequiredError,
  TokenExpiredError,
  RefreshFailedError,
  CredentialUnavailableError,
  UpstreamFailingError,
  WorkflowFailingError,
  NoWorkerError,
  type RetryableErrorOptions,
  ProviderError,
  DecryptionError,
  InvalidRequestError,
  AuthenticationError,
  PermissionDeniedError,
  ProviderMismatchError,
  TemporalUnreachableError,
  WebhookNotFoundError,
  WebhookConflictError,
  WebhookVerificationError,
  WebhookTestTimeoutError,
} from './errors';

// Webhooks: receiving and verifying deliveries, managing subscriptions, delivery metrics (docs/webhooks.md)
export { verifyWebhook, type VerifiedWebhook, type WebhookRequestHeaders } from './webhooks/verify';
export type { WebhookPayload } from './webhooks/payload';
export { credentialEventTypes, defaultEventTypes, testEventType, type WebhookEventType } from './webhooks/event-types';
export { generateWebhookSecret } from './webhooks/secrets';
export { WebhookClient, type WebhookClientOptions, type CreatedWebhook } from './webhooks/webhook-client';
export type { WebhookView, WebhookHealth, DeliveryRecord, WebhookState } from './webhooks/messages';
export { webhookMetrics, registerWebhookMetrics, type WebhookMetrics } from './webhooks/metrics';

// The message contract of the credential workflow
export {
  defaultTaskQueue,
  workflowIdPrefix,
  credentialWorkflowId,
  credentialIdOf,
  type RefreshRequest,
  type ReauthorizeRequest,
  type ReconfigureRequest,
  type RevokeRequest,
  getTokenQuery,
  describeQuery,
  forceRefreshSignal,
  refreshUpdate,
  reauthorizeUpdate,
  reconfigureUpdate,
  revokeUpdate,
} from './messages';

// Credential shapes
export type {
  CredentialStatus,
  CredentialDescription,
  CredentialCounts,
  LastError,
  ProviderName,
  RefreshOutcome,
  RefreshPolicy,
  TokenView,
} from './credential';
export { credentialStatuses, defaultPolicy } from './credential';
