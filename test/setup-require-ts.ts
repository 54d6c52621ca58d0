/**
 * The SDK loads converters by path with Node's `require` (a client's and a
 * worker's `payloadConverterPath`, src/codec/payload-converter.ts). Braid runs
 * under tsx, whose hook compiles TypeScript on `require`; the test forks get
 * the same hook.
 */
import { register } from 'tsx/cjs/api';

register();
