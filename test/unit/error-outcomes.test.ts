/**
 * The one error table: every error class is listed (or deliberately not), each class uses its
 * exported code, the API and the CLI read the same row, and `instanceof` / `isHalflifeError`
 * hold across jest module registries.
 */
import { CommanderError } from 'commander';
import { toApiError } from '../../src/api/errors';
import { exitCodeOf } from '../../src/cli/exit-codes';
import { errorOutcomeOf, errorOutcomes, exitCodes, isWorkflowTaskFailing } from '../../src/error-outcomes';
import * as errors from '../../src/errors';

const {
  CredentialNotFoundError,
  HalflifeError,
  NoWorkerError,
  RefreshFailedError,
  TemporalUnreachableError,
  UpstreamFailingError,
  WorkflowFailingError,
  errorCodes,
  isHalflifeError,
} = errors;

/** One instance of every error class errors.ts exports, built with plausible arguments. */
const samples: Record<string, errors.HalflifeError> = {
  InvalidConfigError: new errors.InvalidConfigError('client_id', 'must not be empty'),
  InvalidRequestError: new errors.InvalidRequestError('id', 'bad'),
  AuthenticationError: new errors.AuthenticationError('no key'),
  PermissionDeniedError: new errors.PermissionDeniedError('admin', 'no'),
  CredentialNotFoundError: new CredentialNotFoundError('x'),
  CredentialExistsError: new errors.CredentialExistsError('x'),
  ProviderMismatchError: new errors.ProviderMismatchError('x', 'oauth2', 'wecom'),
  ReauthRequiredError: new errors.ReauthRequiredError('x', 'invalid_grant'),
  TokenExpiredError: new errors.TokenExpiredError('x'),
  RefreshFailedError: new RefreshFailedError('x', 'http_500', 'upstream 500'),
  UpstreamFailingError: new UpstreamFailingError('x', 'the token endpoint keeps answering 503'),
  WorkflowFailingError: new WorkflowFailingError('x', 'its workflow task keeps failing'),
  NoWorkerError: new NoWorkerError('x', 'no worker polls task queue halflife'),
  TemporalUnreachableError: new TemporalUnreachableError('127.0.0.1:1'),
  ProviderError: new errors.ProviderError('transient', 'http_503', 'upstream 503'),
  DecryptionError: new errors.DecryptionError(errorCodes.decryptionFailed, 'altered'),
  CredentialUnavailableError: new errors.CredentialUnavailableError('x', errorCodes.upstreamFailing, 'busy'),
  HalflifeError: new HalflifeError('base', 'x'),
  WebhookNotFoundError: new errors.WebhookNotFoundError('wh_x'),
  WebhookConflictError: new errors.WebhookConflictError('configured', 'cfg'),
  WebhookVerificationError: new errors.WebhookVerificationError('No matching signature found'),
  WebhookTestTimeoutError: new errors.WebhookTestTimeoutError('wh_x', 30),
  PushRejectedError: new errors.PushRejectedError('bad_signature', 'msg_signature does not match the callback token'),
};

/** Classes answered 500 / exit 1 on purpose: internal failures, and the bases of the others. */
const unlisted = ['HalflifeError', 'CredentialUnavailableError', 'ProviderError', 'DecryptionError'];

describe('the error table', () => {
  const classNames = Object.entries(errors)
    .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error)
    .map(([name]) => name)
    .sort();

  it('samples every exported error class, and each instance carries its class name', () => {
    expect(Object.keys(samples).sort()).toEqual(classNames);
    for (const [name, err] of Object.entries(samples)) expect([name, err.name]).toEqual([name, name]);
  });

  it('lists every class except the deliberately unlisted ones', () => {
    expect(Object.keys(errorOutcomes).sort()).toEqual(classNames.filter((n) => !unlisted.includes(n)));
  });

  it('each listed class sets the code the API answers with (two documented exceptions)', () => {
    // RefreshFailedError carries the provider's code (the API says refresh_failed); TemporalUnreachableError its own.
    const exceptions: Record<string, string> = { RefreshFailedError: 'http_500', TemporalUnreachableError: errorCodes.temporalUnreachable };
    for (const [name, row] of Object.entries(errorOutcomes)) expect([name, samples[name]!.code]).toEqual([name, exceptions[name] ?? row.code]);
    expect(errorOutcomes.TemporalUnreachableError.code).toBe(errorCodes.temporalUnavailable);
  });

  it('every code is one of errorCodes', () => {
    const codes = new Set<string>(Object.values(errorCodes));
    for (const row of Object.values(errorOutcomes)) expect(codes.has(row.code)).toBe(true);
  });

  it.each(Object.entries(errorOutcomes))('%s: the API and the CLI answer from the same row', (name, row) => {
    const err = samples[name];
    const answer = toApiError(err);
    expect([answer.status, answer.body.error.code]).toEqual([row.status, row.code]);
    expect(exitCodeOf(err)).toBe(row.exitCode);
    // Every 503 says when to come back (and only a 503 does).
    expect(answer.headers['Retry-After']).toEqual(row.status === 503 ? expect.stringMatching(/^\d+$/) : undefined);
  });

  it.each(unlisted)('%s answers 500 internal and exits 1', (name) => {
    const answer = toApiError(samples[name]);
    expect([answer.status, answer.body.error.code, answer.body.error.message]).toEqual([500, 'internal', 'internal error']);
    expect(exitCodeOf(samples[name])).toBe(exitCodes.failure);
  });
});

describe('the new 503 errors', () => {
  it.each([
    [new UpstreamFailingError('crm', 'endpoint failing'), 'upstream_failing', 5],
    [new WorkflowFailingError('crm', 'task failing'), 'workflow_failing', 1],
    [new NoWorkerError('crm', 'no worker'), 'no_worker', 7],
  ])('%p → 503 %s, exit %d', (err, code, exitCode) => {
    expect(err).toMatchObject({ credentialId: 'crm', code });
    expect(err.message).toMatch(/^credential crm: /);
    const answer = toApiError(err);
    expect(answer).toMatchObject({ status: 503, body: { error: { code, message: err.message } }, headers: { 'Retry-After': '5' } });
    expect(exitCodeOf(err)).toBe(exitCode);
  });

  it('Retry-After follows the error when it says when to try again', () => {
    const err = new NoWorkerError('crm', 'no worker', { retryAfterS: 12.2, cause: new Error('c') });
    expect(err.retryAfterS).toBe(12.2);
    expect(err.cause).toBeInstanceOf(Error);
    expect(toApiError(err).headers['Retry-After']).toBe('13');
  });
});

describe('transport errors', () => {
  const grpc = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: 'd', metadata: {} });
  const serviceError = (cause: unknown) => Object.assign(new Error('Failed to query Workflow'), { name: 'ServiceError', cause });

  it('gRPC FAILED_PRECONDITION (a workflow task that keeps failing) answers like WorkflowFailingError, not 500', () => {
    const err = serviceError(grpc(9));
    expect(isWorkflowTaskFailing(err)).toBe(true);
    expect(errorOutcomeOf(err)).toBe(errorOutcomes.WorkflowFailingError);
    const answer = toApiError(err);
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'workflow_failing' } }, headers: { 'Retry-After': '5' } });
    expect(answer.body.error.message).not.toContain('grpc');
    expect(exitCodeOf(err)).toBe(exitCodes.failure);
  });

  it('Temporal not answering: 503 temporal_unavailable with Retry-After, exit 7', () => {
    const answer = toApiError(serviceError(grpc(14)));
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'temporal_unavailable' } }, headers: { 'Retry-After': '5' } });
    expect(exitCodeOf(grpc(4))).toBe(exitCodes.unavailable);
  });

  it('other gRPC errors stay internal', () => {
    expect(toApiError(serviceError(grpc(3))).status).toBe(500);
    expect(isWorkflowTaskFailing(grpc(3))).toBe(false);
  });

  it('usage errors of the argument parser exit 2', () => {
    expect(exitCodeOf(new CommanderError(1, 'commander.missingArgument', 'missing'))).toBe(exitCodes.invalidInput);
  });
});

describe('TemporalUnreachableError', () => {
  it('says in one line where, why and what to do', () => {
    const err = new TemporalUnreachableError('10.0.0.1:7233', { reason: 'connection refused', hint: 'check TEMPORAL_ADDRESS' });
    expect(err.message).toBe('cannot reach Temporal at 10.0.0.1:7233 (connection refused): check TEMPORAL_ADDRESS');
    expect(new TemporalUnreachableError('h:1').message).toBe('cannot reach Temporal at h:1: start the service (npm start) or set TEMPORAL_ADDRESS');
  });
});

describe('across module registries', () => {
  it('instanceof and isHalflifeError hold for an error made by another copy of the module', () => {
    let other: typeof errors | undefined;
    jest.isolateModules(() => {
      other = jest.requireActual<typeof errors>('../../src/errors');
    });
    expect(other?.CredentialNotFoundError).not.toBe(CredentialNotFoundError); // really another copy
    const foreign = new other!.CredentialNotFoundError('x');
    expect(foreign).toBeInstanceOf(CredentialNotFoundError);
    expect(foreign).toBeInstanceOf(HalflifeError);
    expect(foreign).not.toBeInstanceOf(RefreshFailedError);
    expect(isHalflifeError(foreign, 'CredentialNotFoundError')).toBe(true);
    expect(toApiError(foreign).status).toBe(404);
    expect(new UpstreamFailingError('x', 'm')).not.toBeInstanceOf(NoWorkerError);
  });
});
