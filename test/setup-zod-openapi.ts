/**
 * The fast tier shares one module graph per thread (vitest.unit.config.mts,
 * `isolate: false`): zod gets its OpenAPI methods before any schema is built,
 * as in the API's own process, whichever test file loads first.
 */
import '@hono/zod-openapi';
