/**
 * Which network addresses `http` nodes may reach. Only public unicast addresses
 * are allowed by default: loopback, private, link-local (cloud metadata such as
 * 169.254.169.254), CGNAT, multicast, unique-local, reserved and the IPv6 forms
 * that embed an IPv4 address are refused, unless `HTTP_ALLOWLIST` names the host
 * or a CIDR that contains the address.
 *
 * An entry may name a port (`127.0.0.1:4000`, `[::1]:4000`, `localhost:4000`):
 * then only that port. What runs Braid (its API and metrics ports, the
 * Temporal frontend and Web UI) is reached through an allowed address only
 * when an entry names its port: allowlisting `127.0.0.1` for a test server
 * does not let a workflow drive the Temporal UI's API on :8233.
 */
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /**
   * Whether a connection to `address` (an IP) for host name `host` is allowed,
   * on `port` (absent: on some port, the check before the connect knows one).
   */
  allows(host: string, address: string, port?: number): boolean;
  /** Why `address` is refused, for error messages. */
  describe(address: string): string;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** An entry's port, split off `host:port`, `1.2.3.4:port` or `[v6]:port` (a bare IPv6 address has none). */
function splitPort(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const m = /^([^:]+):(\d{1,5})$/.exec(entry);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: entry };
}

/**
 * Builds a policy from allowlist entries: CIDRs (`10.0.0.0/8`, `::1/128`), single
 * addresses (`127.0.0.1`) or host names (`localhost`, `api.internal`), each with
 * an optional port. `protectedPorts` are reached only through an entry that names them.
 */
export function createAddressPolicy(allowlist: readonly string[] = [], protectedPorts: readonly number[] = []): AddressPolicy {
  const hosts: { host: string; port?: number }[] = [];
  const cidrs: { net: ipaddr.IPv4 | ipaddr.IPv6; bits: number; port?: number }[] = [];
  for (const raw of allowlist) {
    const { host: entry, port } = splitPort(raw.trim().toLowerCase());
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) {
      const [addr, bits] = ipaddr.parseCIDR(entry);
      const [net, b] =
        addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? [(addr as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)] : [addr, bits];
      cidrs.push({ net, bits: b, port });
    } else if (ipaddr.isValid(entry)) {
      const addr = ipaddr.process(entry);
      cidrs.push({ net: addr, bits: addr.kind() === 'ipv4' ? 32 : 128, port });
    } else {
      hosts.push({ host: entry.replace(/\.$/, ''), port });
    }
  }
  const guarded = new Set(protectedPorts);
  /** Whether an entry with this port admits a connection to `port`. */
  const portFits = (entryPort: number | undefined, port: number | undefined) =>
    port === undefined || (entryPort === undefined ? !guarded.has(port) : entryPort === port);

  const parse = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
    const bare = stripBrackets(address);
    return ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined;
  };

  return {
    allows(host, address, port) {
      const addr = parse(address);
      if (addr?.range() === 'unicast') return true;
      const name = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
      if (hosts.some((h) => h.host === name && portFits(h.port, port))) return true;
      if (!addr) return false;
      return cidrs.some((c) => c.net.kind() === addr.kind() && addr.match(c.net, c.bits) && portFits(c.port, port));
    },
    describe(address) {
      const addr = parse(address);
      return addr ? `${addr.toString()} is a ${addr.range()} address` : `${address} is not an IP address`;
    },
  };
}
