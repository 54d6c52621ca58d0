import { Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import pg from 'pg';
const addr = '127.0.0.1:24200';
for (const [name, tls] of [['plain', undefined], ['tls no cert', { serverRootCACertificate: readFileSync('/tmp/cl1/tls/ca.pem'), serverNameOverride: 'temporal-frontend' }], ['tls ui cert', { serverRootCACertificate: readFileSync('/tmp/cl1/tls/ca.pem'), serverNameOverride: 'temporal-frontend', clientCertPair: { crt: readFileSync('/tmp/cl1/tls/braid.pem'), key: readFileSync('/tmp/cl1/tls/braid-key.pem') } }]] as const) {
  try {
    const c = await Connection.connect({ address: addr, connectTimeout: 3000, ...(tls ? { tls } : {}) });
    const info = await c.workflowService.getSystemInfo({});
    console.log(name, 'OK', info.serverVersion);
    await c.close();
  } catch (e) { console.log(name, 'REFUSED', (e as Error).message.slice(0, 150)); }
}
const r1 = await fetch('http://127.0.0.1:24100/temporal/', { redirect: 'manual' }); console.log('ui no cred', r1.status);
const r2 = await fetch('http://127.0.0.1:24100/temporal/', { headers: { authorization: 'Bearer tok' } }); console.log('ui token', r2.status, (await r2.text()).slice(0, 200));
const r3 = await fetch('http://127.0.0.1:24100/temporal/api/v1/namespaces', { headers: { authorization: 'Bearer tok' } }); console.log('ui api', r3.status, (await r3.text()).slice(0, 200));
const port = JSON.parse(readFileSync('/tmp/cl1/run/ports.json','utf8')).postgres;
for (const url of [`postgres://temporal@127.0.0.1:${port}/postgres`, `postgres://braid:braid@127.0.0.1:${port}/braid`]) {
  const c = new pg.Client({ connectionString: url }); try { await c.connect(); console.log('pg OK', url); } catch (e) { console.log('pg REFUSED', url, (e as Error).message); } finally { await c.end().catch(()=>{}); }
}
