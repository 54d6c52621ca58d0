/**
 * docker-compose.yml, checked statically (no Docker engine runs here), and
 * checked against what `npm run cluster` runs: the same services, the same
 * Temporal and Web UI versions, the same config and dynamic config files,
 * the same environment for the Temporal processes.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { certPaths, TEMPORAL_SERVER_NAME } from '../../src/cluster/certs';
import { DYNAMIC_CONFIG_PATH, SERVER_CONFIG_PATH } from '../../src/cluster/launch';
import { BRAID_DB_ROLE } from '../../src/cluster/postgres';
import { CLUSTER_PARTS, DATABASES, NUM_HISTORY_SHARDS, TEMPORAL_ROLE, TEMPORAL_SERVICES, temporalServiceEnv } from '../../src/cluster/topology';
import type { ClusterPorts } from '../../src/cluster/topology';
import { CLUSTER_VERSIONS } from '../../src/cluster/versions';
import { envSchema } from '../../src/config';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../src/temporal/dev-server';
import { TEMPORAL_UI_PATH } from '../../src/ui/temporal-ui';

const root = resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: unknown;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const deps = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const relative = (path: string) => path.slice(root.length + 1);

describe('docker-compose.yml and npm run cluster', () => {
  it('runs every part the cluster launcher runs, under the same names, plus one-shots and a load balancer', () => {
    const long = CLUSTER_PARTS.filter((p) => !Object.keys(services).includes(p));
    expect(long).toEqual([]);
    expect(
      Object.keys(services)
        .filter((s) => !(CLUSTER_PARTS as readonly string[]).includes(s))
        .sort(),
    ).toEqual(['braid-lb', 'temporal-certs', 'temporal-namespace', 'temporal-schema']);
  });

  it('pins the versions the launcher builds', () => {
    for (const service of TEMPORAL_SERVICES) expect(services[service]!.image).toBe(`temporalio/server:${CLUSTER_VERSIONS.server}`);
    expect(services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${CLUSTER_VERSIONS.server}`);
    expect(services['temporal-namespace']!.image).toBe(`temporalio/admin-tools:${CLUSTER_VERSIONS.server}`);
    expect(services['temporal-ui']!.image).toBe(`temporalio/ui:${CLUSTER_VERSIONS.ui}`);
    expect(JSON.stringify(compose)).not.toContain('auto-setup');
  });

  it('mounts the config and dynamic config files the launcher uses, and gives each Temporal process its role', () => {
    for (const service of TEMPORAL_SERVICES) {
      const s = services[service]!;
      const mounts = Object.fromEntries((s.volumes ?? []).map((v) => v.split(':')).map(([host, container]) => [host!.replace(/^\.\//, ''), container!]));
      expect(mounts[relative(SERVER_CONFIG_PATH)]).toBe(s.environment!.TEMPORAL_SERVER_CONFIG_FILE_PATH);
      expect(mounts[relative(DYNAMIC_CONFIG_PATH)]).toBe(s.environment!.DYNAMIC_CONFIG_FILE_PATH);
      expect(s.environment!.TEMPORAL_SERVICES).toBe(TEMPORAL_ROLE[service]);
    }
  });

  it('sets the same Temporal environment as the launcher, where one host and many containers agree', () => {
    const ports = { postgres: 5432, frontendGrpc: 7233, frontendHttp: 7243, grpc: {}, membership: {} } as unknown as ClusterPorts;
    const launcher = temporalServiceEnv('temporal-matching', ports, { host: 'x', user: 'temporal', password: 'temporal' }, '/x', '/tls');
    const composed = services['temporal-matching']!.environment!;
    for (const key of ['NUM_HISTORY_SHARDS', 'DBNAME', 'VISIBILITY_DBNAME', 'POSTGRES_USER', 'DB_PORT']) expect(composed[key], key).toBe(launcher[key]);
    expect(composed.NUM_HISTORY_SHARDS).toBe(String(NUM_HISTORY_SHARDS));
    // Every variable the compose file sets is one the config template reads.
    const template = readFileSync(SERVER_CONFIG_PATH, 'utf8');
    for (const key of Object.keys(composed)) {
      if (['TEMPORAL_SERVER_CONFIG_FILE_PATH', 'TEMPORAL_ALLOW_NO_AUTH', 'TEMPORAL_SERVICES'].includes(key)) continue;
      expect(template, key).toContain(`env "${key}"`);
    }
  });

  it('starts a history host before the other Temporal processes, and Braid after the namespace exists', () => {
    for (const service of ['temporal-history-2', 'temporal-matching', 'temporal-frontend']) expect(deps(services[service]!)).toContain('temporal-history-1');
    expect(deps(services['temporal-history-1']!)).toContain('temporal-schema');
    for (const braid of ['braid-worker-1', 'braid-worker-2', 'braid-api-1', 'braid-api-2']) {
      expect(services[braid]!.depends_on).toMatchObject({ 'temporal-namespace': { condition: 'service_completed_successfully' } });
    }
  });

  it('wires the env Braid reads, with names it knows, and puts the APIs behind the load balancer', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of ['braid-worker-1', 'braid-worker-2', 'braid-api-1', 'braid-api-2']) {
      const env = services[name]!.environment ?? {};
      expect(env.TEMPORAL_ADDRESS).toBe('temporal-frontend:7233');
      for (const key of Object.keys(env))
        if (!key.startsWith('BRAID_SECRET_') && !key.startsWith('BRAID_WEBHOOK_SECRET_')) expect(known, `${name}.${key}`).toContain(key);
      const interpolated = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v)
            .replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
            .replace(/\$\{[A-Z0-9_]+:\?[^}]*\}/g, 'set'),
        ]),
      );
      const parsed = envSchema.safeParse(interpolated);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const url = new URL(interpolated.DATABASE_URL!);
      expect(url.hostname).toBe('postgres');
      expect(url.pathname.slice(1)).toBe(DATABASES.braid);
      expect(url.username).toBe(BRAID_DB_ROLE);
      expect(services[name]!.ports ?? []).toEqual([]);
    }
    expect(services['braid-api-1']!.environment!.API_TOKEN).toBeTruthy();
    const nginx = readFileSync(join(root, services['braid-lb']!.volumes![0]!.split(':')[0]!), 'utf8');
    expect(nginx).toContain('server braid-api-1:3000');
    expect(nginx).toContain('server braid-api-2:3000');
    const script = readFileSync(join(root, 'src/store/compose-init-db.sh'), 'utf8');
    expect(script).toContain(`CREATE DATABASE ${DATABASES.braid} OWNER ${BRAID_DB_ROLE}`);
  });

  it('publishes only the load balancer', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published).toEqual(['braid-lb 3000:3000']);
  });

  it('closes Temporal with mutual TLS from the certificates the launcher makes, and serves the Web UI behind the APIs', () => {
    const tls = certPaths('/etc/braid/tls');
    const mountsTls = (s: Service) => (s.volumes ?? []).includes('braid-tls:/etc/braid/tls:ro');
    expect(services['temporal-certs']!.volumes).toEqual(['braid-tls:/etc/braid/tls']);
    for (const service of TEMPORAL_SERVICES) {
      expect(mountsTls(services[service]!), service).toBe(true);
      expect(services[service]!.environment!.TEMPORAL_TLS_DIR).toBe(tls.dir);
      expect(deps(services[service]!).length).toBeGreaterThan(0);
    }
    // The server template requires client certificates at the frontend and between services.
    const template = readFileSync(SERVER_CONFIG_PATH, 'utf8');
    expect(template.match(/requireClientAuth: true/g)).toHaveLength(2);
    for (const name of ['braid-worker-1', 'braid-worker-2', 'braid-api-1', 'braid-api-2', 'temporal-namespace']) {
      const env = services[name]!.environment!;
      expect(mountsTls(services[name]!), name).toBe(true);
      expect([env.TEMPORAL_TLS_CA, env.TEMPORAL_TLS_CERT, env.TEMPORAL_TLS_KEY, env.TEMPORAL_TLS_SERVER_NAME], name).toEqual([
        tls.ca,
        tls.clients.braid.cert,
        tls.clients.braid.key,
        TEMPORAL_SERVER_NAME,
      ]);
    }
    const ui = services['temporal-ui']!.environment!;
    expect(mountsTls(services['temporal-ui']!)).toBe(true);
    expect([ui.TEMPORAL_TLS_CA, ui.TEMPORAL_TLS_CERT, ui.TEMPORAL_TLS_KEY, ui.TEMPORAL_TLS_SERVER_NAME]).toEqual([
      tls.ca,
      tls.clients['temporal-ui'].cert,
      tls.clients['temporal-ui'].key,
      TEMPORAL_SERVER_NAME,
    ]);
    expect(ui.TEMPORAL_UI_PUBLIC_PATH).toBe(TEMPORAL_UI_PATH);
    expect(services['braid-api-1']!.environment!.TEMPORAL_UI_UPSTREAM).toBe('http://temporal-ui:8080');
    // The schema tool reads the superuser's password from the environment, not a literal.
    const schema = JSON.stringify(services['temporal-schema']);
    expect(schema).not.toContain('--pw');
    expect(services['temporal-schema']!.environment!.SQL_PASSWORD).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
  });

  it('ships no default password: each must be set', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    for (const name of ['API_TOKEN', 'POSTGRES_PASSWORD', 'BRAID_DB_PASSWORD']) expect(text).toContain(`\${${name}:?set ${name}}`);
    expect(text).not.toMatch(/PASSWORD: temporal|POSTGRES_PWD: temporal|BRAID_DB_PASSWORD:-/);
  });

  it('keeps the dynamic config to keys the embedded server tunes, with default task-queue partitions', () => {
    const file = parse(readFileSync(DYNAMIC_CONFIG_PATH, 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, entries] of Object.entries(file)) {
      expect(Object.keys(DEV_SERVER_DYNAMIC_CONFIG), key).toContain(key);
      expect(entries, key).toHaveLength(1);
      expect(typeof entries[0]!.value, key).toBe(typeof DEV_SERVER_DYNAMIC_CONFIG[key as keyof typeof DEV_SERVER_DYNAMIC_CONFIG]);
    }
    expect(file['matching.numTaskqueueReadPartitions']).toBeUndefined();
    expect(file['history.maximumBufferedEventsBatch']![0]!.value).toBe(100);
  });
});
