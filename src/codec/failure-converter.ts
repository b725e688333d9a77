/**
 * The failure converter of every Halflife process: Temporal's default one, with error messages
 * and stack traces moved into an encoded payload so the payload codec encrypts them too.
 *
 * The worker loads this module by path (`dataConverter.failureConverterPath`): the SDK `require`s
 * it and reads the `failureConverter` named export, and the workflow bundler bundles it into the
 * workflow sandbox. So it imports nothing but `@temporalio/common`.
 */
import { DefaultFailureConverter, type FailureConverter } from '@temporalio/common';

/** Encodes failure messages and stack traces (`encodeCommonAttributes`) so they never reach history in plaintext. */
export const failureConverter: FailureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
