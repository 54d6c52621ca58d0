/** docker-compose.yml, checked statically (no Docker engine runs here). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../src/config';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../src/temporal/dev-server';

const root = resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('has the production topology: PostgreSQL, Temporal, its Web UI, the Braid API and worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
    expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
  });

  it('wires the env Braid reads, with names it knows', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of ['api', 'worker']) {
      const env = compose.services[name]!.environment ?? {};
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      for (const key of Object.keys(env)) if (!key.startsWith('BRAID_SECRET_')) expect(known, `${name}.${key}`).toContain(key);
      // As compose would read it with nothing set: ${X:-default} → default, ${X:?message} → some value.
      const interpolated = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1').replace(/\$\{[A-Z0-9_]+:\?[^}]*\}/g, 'set')]),
      );
      const parsed = envSchema.safeParse(interpolated);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
    const api = compose.services.api!.environment!;
    expect(api.HOST).toBe('0.0.0.0');
    expect(api.API_TOKEN).toBeTruthy();
  });

  it("gives the API its own PostgreSQL database beside Temporal's, created with the volume", () => {
    const url = new URL(compose.services.api!.environment!.DATABASE_URL!.replace('${BRAID_DB_PASSWORD:-braid}', 'braid'));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgresql');
    const database = url.pathname.slice(1);
    expect(database).toBe('braid');
    expect(['temporal', 'temporal_visibility']).not.toContain(database);
    const pg = compose.services.postgresql as Service & { volumes?: string[] };
    const init = (pg.volumes ?? []).find((v) => v.includes('/docker-entrypoint-initdb.d/'))!;
    expect(init).toBeDefined();
    const script = readFileSync(join(root, init.split(':')[0]!), 'utf8');
    expect(script).toContain(`CREATE DATABASE ${database} OWNER ${url.username}`);
    expect(script).toContain(`CREATE USER ${url.username}`);
    expect(pg.environment!.BRAID_DB_PASSWORD).toBe('${BRAID_DB_PASSWORD:-braid}');
    expect(compose.services.api!.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
  });

  it('publishes host ports that do not clash', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => String(p).split(':').at(-2)));
    expect(hostPorts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('mounts a dynamic config with every key the embedded server tunes', () => {
    const temporal = compose.services.temporal as Service & { volumes?: string[] };
    const mount = (temporal.volumes ?? []).find((v) => v.includes('dynamic-config.yaml'))!;
    expect(mount).toBeDefined();
    const [hostPath, containerPath] = mount.split(':');
    expect(temporal.environment!.DYNAMIC_CONFIG_FILE_PATH).toBe(containerPath!.replace('/etc/temporal/', ''));
    const file = parse(readFileSync(join(root, hostPath!), 'utf8')) as Record<string, { value: unknown }[]>;
    expect(Object.keys(file).sort()).toEqual(Object.keys(DEV_SERVER_DYNAMIC_CONFIG).sort());
    for (const [key, entries] of Object.entries(file)) {
      expect(entries, key).toHaveLength(1);
      expect(typeof entries[0]!.value, key).toBe(typeof DEV_SERVER_DYNAMIC_CONFIG[key as keyof typeof DEV_SERVER_DYNAMIC_CONFIG]);
    }
    // Braid does not rely on a raised buffered-events limit in production.
    expect(file['history.maximumBufferedEventsBatch']![0]!.value).toBe(100);
  });

  it('starts things in dependency order', () => {
    const deps = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
    expect(deps(compose.services.temporal!)).toContain('postgresql');
    expect(deps(compose.services.worker!)).toContain('temporal');
    expect(deps(compose.services.api!)).toContain('temporal');
  });
});
