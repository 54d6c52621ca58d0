/**
 * Loaded by path (`failureConverterPath`) into the worker and its workflow
 * bundle: failure messages and stack traces are moved into an encoded
 * attribute, so the payload codec encrypts them too.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
