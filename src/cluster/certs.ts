/**
 * The certificates that close the production topology's Temporal cluster:
 * one private certificate authority, a server certificate every Temporal
 * service presents (frontend and internode), and a client certificate for
 * each kind of caller (Braid's workers and APIs, the Web UI, Temporal's own
 * system worker). The frontend requires a client certificate signed by the
 * authority (mutual TLS), so a client without one is refused before any call.
 *
 * Kept in one folder (`$CLUSTER_DIR/tls`, or docker-compose's `braid-tls`
 * volume): created once, reused after, a leaf re-issued when it is missing,
 * expires within 30 days or names other hosts. Keys are PKCS#8 ECDSA P-256,
 * written 0600 (docker-compose's one-shot writes them readable by the other
 * containers' users, `--shared`).
 *
 * docker-compose runs `tsx src/cluster-certs.ts <dir> --shared` once (src/cluster-certs.ts).
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it; only this module's processes load it
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TemporalTlsFiles } from '../config';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
const CA_DAYS = 3650;
const LEAF_DAYS = 397;
const RENEW_WITHIN_DAYS = 30;

/** The name every Temporal service's certificate carries, besides its own host names. */
export const TEMPORAL_SERVER_NAME = 'temporal-frontend';
/** Host names and addresses the server certificate is valid for (docker-compose's service names and loopback). */
export const SERVER_HOSTS = [
  'temporal-frontend',
  'temporal-internode',
  'temporal-history-1',
  'temporal-history-2',
  'temporal-matching',
  'temporal-worker',
  'localhost',
  '127.0.0.1',
] as const;

/** Who holds a client certificate: its common name is the caller's identity in Temporal's TLS peer info. */
export const CLIENTS = ['braid', 'temporal-ui', 'temporal-system'] as const;
export type CertClient = (typeof CLIENTS)[number];

export interface CertPair {
  cert: string;
  key: string;
}

/** Paths of the cluster's certificate files. */
export interface ClusterCerts {
  dir: string;
  ca: string;
  server: CertPair;
  clients: Record<CertClient, CertPair>;
}

/** The file paths in `dir` (whether or not they exist yet). */
export function certPaths(dir: string): ClusterCerts {
  const pair = (name: string): CertPair => ({ cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) });
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server: pair('server'),
    clients: Object.fromEntries(CLIENTS.map((c) => [c, pair(c)])) as Record<CertClient, CertPair>,
  };
}

/** What a client of the cluster presents (TEMPORAL_TLS_*): `client`'s certificate, the CA, the frontend's name. */
export function clientTlsFiles(certs: ClusterCerts, client: CertClient = 'braid'): TemporalTlsFiles {
  return { ca: certs.ca, ...certs.clients[client], serverName: TEMPORAL_SERVER_NAME };
}

function serial(): string {
  // Positive, 16 bytes: RFC 5280 allows up to 20 octets.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALGORITHM, true, ['sign']);
}

function write(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // an existing file keeps its mode otherwise
}

/** Whether a leaf in place can stay: it exists, is signed by this CA, is not near expiry and names these hosts. */
async function leafIsCurrent(pair: CertPair, ca: x509.X509Certificate, hosts: readonly string[] | undefined): Promise<boolean> {
  if (!existsSync(pair.cert) || !existsSync(pair.key)) return false;
  try {
    const cert = new x509.X509Certificate(readFileSync(pair.cert, 'utf8'));
    if (cert.issuer !== ca.subject || !(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }))) return false;
    if (cert.notAfter.getTime() - Date.now() < RENEW_WITHIN_DAYS * DAY_MS) return false;
    if (hosts) {
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
      const names = new Set((san?.names.items ?? []).map((n) => n.value));
      if (hosts.some((h) => !names.has(h))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates what is missing or stale in `dir` and returns the paths. The CA's
 * key stays beside it (0600) so later starts can re-issue leaves; a CA near
 * its end is replaced, and every leaf with it.
 */
export async function ensureClusterCerts(dir: string, opts: { shared?: boolean } = {}): Promise<ClusterCerts> {
  const paths = certPaths(resolve(dir));
  const keyMode = opts.shared ? 0o644 : 0o600;
  mkdirSync(paths.dir, { recursive: true, mode: opts.shared ? 0o755 : 0o700 });
  const caKeyPath = join(paths.dir, 'ca-key.pem');

  let ca: x509.X509Certificate | undefined;
  let caKey: CryptoKey | undefined;
  if (existsSync(paths.ca) && existsSync(caKeyPath)) {
    const existing = new x509.X509Certificate(readFileSync(paths.ca, 'utf8'));
    if (existing.notAfter.getTime() - Date.now() > RENEW_WITHIN_DAYS * DAY_MS) {
      ca = existing;
      caKey = await importKey(readFileSync(caKeyPath, 'utf8'));
    }
  }
  if (!ca || !caKey) {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=Braid cluster CA',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + CA_DAYS * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caKey = keys.privateKey;
    write(caKeyPath, await exportKey(keys.privateKey), 0o600);
    write(paths.ca, ca.toString('pem'), 0o644);
  }

  const issue = async (pair: CertPair, commonName: string, hosts: readonly string[] | undefined) => {
    if (await leafIsCurrent(pair, ca, hosts)) return;
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const usages = hosts ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.clientAuth];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${commonName}`,
      issuer: ca.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + LEAF_DAYS * DAY_MS),
      signingKey: caKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(usages, false),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false),
        ...(hosts
          ? [
              new x509.SubjectAlternativeNameExtension(
                hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
              ),
            ]
          : []),
      ],
    });
    write(pair.key, await exportKey(keys.privateKey), keyMode);
    write(pair.cert, cert.toString('pem'), 0o644);
  };

  // The server certificate is also the internode client's (Temporal presents it both ways).
  await issue(paths.server, TEMPORAL_SERVER_NAME, SERVER_HOSTS);
  for (const client of CLIENTS) await issue(paths.clients[client], client, undefined);
  return paths;
}
