/** Asks the OS for a free TCP port on loopback. */
import { connect, createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return listenOnce(0, host).then((port) => {
    if (port === undefined) throw new Error('no free port');
    return port;
  });
}

/**
 * `n` free ports, all different: the OS may hand the same free port out twice
 * in a row (it was released again before the next ask), and a dev server
 * given one port for both its frontend and its UI exits before it is ready.
 */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > 100) throw new Error(`no ${n} different free ports`);
    ports.add(await freePort(host));
  }
  return [...ports];
}

/** The three ports a Braid stack (`npm start`) listens on: its API, its Temporal frontend and the Temporal UI, all different. */
export async function freeStackPorts(): Promise<{ api: number; temporal: number; ui: number }> {
  const [api, temporal, ui] = (await freePorts(3)) as [number, number, number];
  return { api, temporal, ui };
}

/** Resolves with the port once it was bound and released, or undefined when it is taken. */
function listenOnce(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/**
 * A free port in [from, to]. Temporal's SQL schema keeps each host's gRPC
 * port in a SMALLINT (`cluster_membership.rpc_port`), so a Temporal service
 * on a port over 32767, as the OS hands out by default, cannot join its
 * cluster ("44181 is greater than maximum value for int2"). Ports taken here
 * in one call are never handed out twice.
 */
export async function freePortInRange(from: number, to: number, taken: Set<number> = new Set(), host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const candidate = from + Math.floor(Math.random() * (to - from + 1));
    if (taken.has(candidate)) continue;
    if ((await listenOnce(candidate, host)) === candidate) {
      taken.add(candidate);
      return candidate;
    }
  }
  throw new Error(`no free port between ${from} and ${to}`);
}

/** Whether something accepts TCP connections on the port (on loopback). */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
