/**
 * Data converters that encrypt everything Halflife sends through Temporal: payloads through the
 * AES-GCM codec, failure messages and stack traces through the encoding failure converter.
 */
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { failureConverter } from './failure-converter';
import type { Keyring } from './keyring';

/** Absolute path of the failure converter module, for `failureConverterPath` (worker and workflow bundle). */
export const failureConverterPath: string = require.resolve('./failure-converter');

/**
 * The data converter for clients (`new Client({ dataConverter })`): already loaded, so the client
 * uses the failure converter object directly instead of `require`-ing a path.
 */
export function createDataConverter(keyring: Keyring): LoadedDataConverter {
  return { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [new AesGcmCodec(keyring)] };
}

/**
 * The data converter for `Worker.create({ dataConverter })`. A worker needs the failure converter
 * as a path, because the workflow sandbox loads it from its bundle; a prebuilt bundle must be made
 * with `bundleWorkflowCode({ failureConverterPath })` for the same reason.
 */
export function createWorkerDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keyring)], failureConverterPath };
}
