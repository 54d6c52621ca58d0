/**
 * Free ports for the stacks tests and benches start: several asked at once
 * are all different (a dev server given one port for two of its listeners
 * exits before it is ready), and each can be bound.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts, freeStackPorts } from '../../src/temporal/free-port';

describe('freePorts', () => {
  it('hands out different ports, each free to bind', async () => {
    for (let round = 0; round < 20; round++) {
      const ports = await freePorts(3);
      expect(new Set(ports).size).toBe(3);
      for (const port of ports) {
        const server = createServer();
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
        await new Promise((r) => server.close(r));
      }
    }
  });

  it("hands a stack three different ports: its API's, Temporal's and the UI's", async () => {
    for (let round = 0; round < 20; round++) {
      const { api, temporal, ui } = await freeStackPorts();
      expect(new Set([api, temporal, ui]).size).toBe(3);
    }
  });
});
