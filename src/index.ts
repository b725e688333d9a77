/**
 * The `halflife` package: the TokenClient consumers use, what it needs to connect (Temporal
 * connection, encrypting data converter), the error classes, the message definitions, and the
 * worker for services that run their own.
 */
export { TokenClient, type TokenClientOptions, type CredentialSummary, type Registration } from './client/token-client';
export { connectTemporal } from './client/connect';
export { isAuthError } from './client/auth-errors';
export type { RegisterInput } from './client/registration';
export type { CredentialListener } from './client/subscriptions';
export type { ListFilter } from './client/list-query';
export type { CredentialEvent } from './redis/token-cache';
export { createDataConverter, createWorkerDataConverter } from './codec/data-converter';
export { Keyring, parseKeyring, generateKey } from './codec/keyring';
export { AesGcmCodec } from './codec/aes-gcm-codec';
export { createCredentialWorker, type CredentialWorkerOptions } from './worker';
export { loadConfig, type HalflifeConfig } from './config';
export { openTokenClient, type OpenedTokenClient } from './service/connections';
export * from './errors';
export * from './messages';
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
