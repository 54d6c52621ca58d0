/** oidc-provider ships no types; the tests use its constructor, `listen` and events only. */
declare module 'oidc-provider' {
  import type { Server } from 'node:http';
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    listen(port: number | string): Server;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
