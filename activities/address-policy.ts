/**
 * Which network addresses `http` nodes may reach. Only public unicast addresses
 * are allowed by default: loopback, private, link-local (cloud metadata such as
 * 169.254.169.254), CGNAT, multicast, unique-local, reserved and the IPv6 forms
 * that embed an IPv4 address are refused, unless `HTTP_ALLOWLIST` names the host
 * or a CIDR that contains the address.
 */
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /** Whether a connection to `address` (an IP) for host name `host` is allowed. */
  allows(host: string, address: string): boolean;
  /** Why `address` is refused, for error messages. */
  describe(address: string): string;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Builds a policy from allowlist entries: CIDRs (`10.0.0.0/8`, `::1/128`), single
 * addresses (`127.0.0.1`) or host names (`localhost`, `api.internal`).
 */
export function createAddressPolicy(allowlist: readonly string[] = []): AddressPolicy {
  const hosts = new Set<string>();
  const cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of allowlist) {
    const entry = stripBrackets(raw.trim().toLowerCase());
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) {
      const [addr, bits] = ipaddr.parseCIDR(entry);
      cidrs.push(addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
        ? [(addr as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)]
        : [addr, bits]);
    } else if (ipaddr.isValid(entry)) {
      const addr = ipaddr.process(entry);
      cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else {
      hosts.add(entry.replace(/\.$/, ''));
    }
  }

  const parse = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
    const bare = stripBrackets(address);
    return ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined;
  };

  return {
    allows(host, address) {
      if (hosts.has(stripBrackets(host.toLowerCase()).replace(/\.$/, ''))) return true;
      const addr = parse(address);
      if (!addr) return false;
      if (cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))) return true;
      return addr.range() === 'unicast';
    },
    describe(address) {
      const addr = parse(address);
      return addr ? `${addr.toString()} is a ${addr.range()} address` : `${address} is not an IP address`;
    },
  };
}
