/** An app served on a free loopback port, for tests that need a real socket (browsers, CLIs, keep-alive). */
import { serve } from '@hono/node-server';
import { freePort } from '../../src/temporal/free-port';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serveApp(app: { fetch: (req: Request) => Response | Promise<Response> }): Promise<Served> {
  const port = await freePort();
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port });
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
