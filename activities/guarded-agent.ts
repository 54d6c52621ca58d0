/**
 * An undici dispatcher that refuses to connect to addresses the policy forbids.
 *
 * The check runs in the connector, so it covers every connection the request
 * makes: the first one, each redirect, and the address DNS actually returned at
 * connect time (no window for DNS rebinding between a check and the connect).
 * Literal IPs in any spelling reach us normalized by the URL parser
 * (`2130706433` and `0x7f.1` are `127.0.0.1`), and are checked before connecting.
 */
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy';

/** Thrown (as a `cause`) when a connection is refused by the address policy. */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'ERR_BRAID_FORBIDDEN_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    reason: string,
  ) {
    super(`refused to connect to ${host} (${reason}); add it to HTTP_ALLOWLIST to allow it`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function createGuardedAgent(policy: AddressPolicy, options: { connectTimeoutMs?: number } = {}): Agent {
  const checkedLookup = (hostname: string, opts: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const refused = addresses.find((a) => !policy.allows(hostname, a.address));
      if (refused) return callback(new ForbiddenAddressError(hostname, refused.address, policy.describe(refused.address)), '');
      if ((opts as LookupAllOptions).all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  const base = buildConnector({ lookup: checkedLookup, timeout: options.connectTimeoutMs ?? 10_000 } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    if (isIP(host) && !policy.allows(host, host, port)) {
      callback(new ForbiddenAddressError(host, host, policy.describe(host)), null);
      return;
    }
    base(opts, (err, socket) => {
      if (err) return callback(err, null);
      const remote = socket.remoteAddress;
      if (remote && !policy.allows(host, remote, port)) {
        socket.destroy();
        return callback(new ForbiddenAddressError(host, `${remote}:${port}`, `${policy.describe(remote)}; port ${port} needs an entry that names it`), null);
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect });
}
