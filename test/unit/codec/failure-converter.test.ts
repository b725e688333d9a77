import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { ApplicationFailure, type LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDataConverter, createWorkerDataConverter, failureConverterPath } from '../../../src/codec/data-converter';
import { failureConverter } from '../../../src/codec/failure-converter';
import { Keyring } from '../../../src/codec/keyring';

const keyring = new Keyring([['k1', randomBytes(32)]]);
const fakeSecret = 'rt-fake-secret-in-an-error-0123456789';

/** Every form a secret could take in stored bytes. */
function expectAbsent(bytes: Uint8Array, secret: string): void {
  const buf = Buffer.from(bytes);
  expect(buf.includes(secret)).toBe(false);
  expect(buf.toString('latin1')).not.toContain(Buffer.from(secret).toString('base64').slice(0, 20));
}

describe('failure converter', () => {
  it('moves message and stack trace into an encoded payload', () => {
    const failure = failureConverter.errorToFailure(new Error(`refresh failed for ${fakeSecret}`), createDataConverter(keyring).payloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(failure.encodedAttributes).toBeDefined();
  });

  it('with the codec, leaves no trace of a secret in the failure bytes (nested causes too)', async () => {
    const error = ApplicationFailure.create({
      message: `upstream said: invalid refresh token ${fakeSecret}`,
      type: 'ProviderError',
      cause: new Error(`cause mentions ${fakeSecret}`),
    });
    const converter = createDataConverter(keyring);
    const failure = await encodeErrorToFailure(converter, error);
    const bytes = temporal.api.failure.v1.Failure.encode(failure).finish();
    expectAbsent(bytes, fakeSecret);
    expect(failure.applicationFailureInfo?.type).toBe('ProviderError');
    expect(failure.cause?.message).toBe('Encoded failure');
  });

  it('decodes back to the original message through the codec (what a client sees)', async () => {
    const converter = createDataConverter(keyring);
    const failure = await encodeErrorToFailure(converter, new Error(`boom ${fakeSecret}`));
    const error = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(error?.message).toBe(`boom ${fakeSecret}`);
  });
});

describe('data converters', () => {
  it('the worker converter loads this module by path, as the SDK does', () => {
    const worker = createWorkerDataConverter(keyring);
    expect(worker.failureConverterPath).toBe(failureConverterPath);
    const loaded: LoadedDataConverter = loadDataConverter(worker);
    expect((loaded.failureConverter as unknown as { options: unknown }).options).toEqual({ encodeCommonAttributes: true });
    expect(loaded.payloadCodecs).toHaveLength(1);
  });

  it('the client converter is used as given by the Temporal client', async () => {
    const dataConverter = createDataConverter(keyring);
    const client = new Client({ dataConverter });
    expect(client.options.loadedDataConverter).toBe(dataConverter);
    expect(client.options.loadedDataConverter.failureConverter).toBe(failureConverter);
    await client.connection.close();
  });

  it('the failure converter module loads inside the workflow bundle', async () => {
    // Inside the project (git-ignored), so webpack resolves @temporalio/workflow from node_modules.
    const cache = join(__dirname, '../../../node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'halflife-bundle-'));
    try {
      // Plain JS: the bundler compiles TypeScript only outside node_modules.
      writeFileSync(join(dir, 'workflows.js'), 'exports.noop = async function noop() {};\n');
      const logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
      const { code } = await bundleWorkflowCode({ workflowsPath: join(dir, 'workflows.js'), failureConverterPath, logger });
      expect(code).toContain('encodeCommonAttributes: true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
