/**
 * `tsx src/cluster-certs.ts <dir> [--shared]`: creates (or renews) the
 * Temporal cluster's certificates in `<dir>` (src/cluster/certs.ts).
 * docker-compose.yml runs it once into the `braid-tls` volume, `--shared` so
 * the other containers' users can read the keys there; `npm run cluster`
 * calls the same code itself.
 */
import { ensureClusterCerts } from './cluster/certs';
import { runMain } from './main';

runMain('cluster-certs', async () => {
  const [dir, ...flags] = process.argv.slice(2);
  if (!dir || flags.some((f) => f !== '--shared')) throw new Error('usage: tsx src/cluster-certs.ts <dir> [--shared]');
  const paths = await ensureClusterCerts(dir, { shared: flags.includes('--shared') });
  process.stdout.write(`Temporal certificates in ${paths.dir}\n`);
});
