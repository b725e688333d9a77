/** The stable error codes of Halflife, as constants (re-exported by `errors.ts`). */

/** Every stable error code Halflife sets on its errors or sends in API answers (`error.code`). */
export const errorCodes = {
  invalidConfig: 'invalid_config',
  invalidRequest: 'invalid_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  credentialNotFound: 'credential_not_found',
  credentialExists: 'credential_exists',
  providerMismatch: 'provider_mismatch',
  reauthRequired: 'reauth_required',
  tokenExpired: 'token_expired',
  refreshFailed: 'refresh_failed',
  upstreamFailing: 'upstream_failing',
  workflowFailing: 'workflow_failing',
  noWorker: 'no_worker',
  temporalUnreachable: 'temporal_unreachable',
  /** The API's answer while Temporal does not answer (unreachable, deadline exceeded). */
  temporalUnavailable: 'temporal_unavailable',
  unknownEncryptionKey: 'unknown_encryption_key',
  decryptionFailed: 'decryption_failed',
  /** No route for the request (API only). */
  notFound: 'not_found',
  payloadTooLarge: 'payload_too_large',
  uriTooLong: 'uri_too_long',
  unsupportedMediaType: 'unsupported_media_type',
  /** The path exists, but not for this method (API only; `Allow` lists the methods). */
  methodNotAllowed: 'method_not_allowed',
  /** The request was not received in time (API only, 408). */
  requestTimeout: 'request_timeout',
  /** The request line and headers are larger than the server accepts (API only, 431). */
  headersTooLarge: 'headers_too_large',
  /** An `Expect` header other than `100-continue` (API only, 417). */
  expectationFailed: 'expectation_failed',
  /** The API is closing (answered 503 with `Retry-After`). */
  shuttingDown: 'shutting_down',
  /** No webhook subscription with that id. */
  webhookNotFound: 'webhook_not_found',
  /** The subscription cannot be changed that way (configured in HALFLIFE_WEBHOOKS), or the registry refused it (full). */
  webhookConflict: 'webhook_conflict',
  /** A received webhook's signature, timestamp or headers did not verify (`verifyWebhook`). */
  webhookVerificationFailed: 'webhook_verification_failed',
  /** A platform callback (ticket push) did not verify or decrypt, or named another receiver (`PushRejectedError`). */
  pushRejected: 'push_rejected',
  /** Anything else: a generic answer, never a stack trace. */
  internal: 'internal',
} as const;

/** One of `errorCodes`. */
export type ErrorCode = (typeof errorCodes)[keyof typeof errorCodes];
