/**
 * Loaded by path (`payloadConverterPath`) into the client, the worker and its
 * workflow bundle: the SDK's default converters (undefined, binary, JSON),
 * with JSON's text turned into UTF-8 by the runtime's own TextEncoder and
 * TextDecoder. The SDK's JSON converter uses a JavaScript polyfill (the
 * workflow sandbox once had no TextEncoder); the worker now gives the sandbox
 * Node's, and the polyfill cost a run with 100 MB of outputs 5 s of workflow
 * thread per activation, long enough to meet the SDK's isolate execution
 * timeout. The bytes are the same: `JSON.stringify` writes well-formed text,
 * and both encoders write it as UTF-8 the same way.
 *
 * No Node built-ins here: this module runs inside the workflow sandbox.
 */
import type { Payload, PayloadConverterWithEncoding } from '@temporalio/common';
import { BinaryPayloadConverter, CompositePayloadConverter, UndefinedPayloadConverter, ValueError } from '@temporalio/common';

const JSON_ENCODING = 'json/plain';
const utf8 = new TextEncoder();
// A leading U+FEFF is kept, as the SDK's decoder keeps it (JSON.parse then refuses it the same way).
const text = new TextDecoder('utf-8', { ignoreBOM: true });

export class NativeJsonPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = JSON_ENCODING;

  toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return undefined;
    }
    return { metadata: { encoding: utf8.encode(JSON_ENCODING) }, data: utf8.encode(json) };
  }

  fromPayload<T>(payload: Payload): T {
    if (payload.data === undefined || payload.data === null) throw new ValueError('Got payload with no data');
    return JSON.parse(text.decode(payload.data)) as T;
  }
}

export const payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new NativeJsonPayloadConverter());
