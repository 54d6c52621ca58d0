/** `npm run target`: the local HTTP target the examples and benchmarks call (PORT, default 4000). */
import { startHttpTarget } from '../test/helpers/http-target';

const port = Number(process.env.PORT ?? 4000);
startHttpTarget(port).then((t) => {
  process.stdout.write(`http target listening on ${t.url} (/delay/:ms, /status/:code, /flaky/:key/:n, /big/:bytes, /echo)\n`);
  const stop = () => t.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
