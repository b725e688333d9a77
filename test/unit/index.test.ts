/** The package's public surface: exactly these runtime names (types are checked by tsc), so nothing leaks or disappears by accident. */
import * as halflife from '../../src/index';

it('exports exactly the listed runtime names', () => {
  expect(Object.keys(halflife).sort()).toEqual(
    [
      // consumers, encryption, worker, configuration
      'TokenClient', 'connectTemporal', 'isAuthError',
      'createDataConverter', 'createWorkerDataConverter', 'Keyring', 'parseKeyring', 'generateKey', 'AesGcmCodec',
      'createCredentialWorker', 'loadConfig', 'withConfigDefaults', 'openTokenClient',
      // errors
      'errorCodes', 'isHalflifeError', 'HalflifeError', 'InvalidConfigError', 'CredentialNotFoundError', 'CredentialExistsError',
      'ReauthRequiredError', 'TokenExpiredError', 'RefreshFailedError', 'CredentialUnavailableError', 'UpstreamFailingError',
      'WorkflowFailingError', 'NoWorkerError', 'ProviderError', 'DecryptionError', 'InvalidRequestError', 'AuthenticationError',
      'PermissionDeniedError', 'ProviderMismatchError', 'TemporalUnreachableError',
      'WebhookNotFoundError', 'WebhookConflictError', 'WebhookVerificationError', 'WebhookTestTimeoutError',
      // webhooks
      'verifyWebhook', 'credentialEventTypes', 'defaultEventTypes', 'testEventType', 'generateWebhookSecret', 'WebhookClient',
      'webhookMetrics', 'registerWebhookMetrics',
      // message contract
      'defaultTaskQueue', 'workflowIdPrefix', 'credentialWorkflowId', 'credentialIdOf', 'getTokenQuery', 'describeQuery',
      'forceRefreshSignal', 'refreshUpdate', 'reauthorizeUpdate', 'reconfigureUpdate', 'revokeUpdate',
      // credential shapes
      'credentialStatuses', 'defaultPolicy',
    ].sort(),
  );
});
