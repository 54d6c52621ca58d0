/**
 * What `npm start` and `npm run cluster` print once everything is up: a few
 * lines for a person at a terminal, one JSON object for anything else (a
 * supervisor, a test, a log collector), both on stdout.
 */
import type { Config } from './config';

/** One line of the banner: what it is, where, and a word on it. */
export interface BannerRow {
  /** The JSON field it is in the non-terminal form. */
  field: string;
  label: string;
  value: string;
  note?: string;
}

export interface Startup {
  /** The first line ("Braid is up."). */
  title: string;
  rows: BannerRow[];
  /** The last line: how to stop it. */
  footer: string;
}

/** The banner a person reads: a title, aligned rows, how to stop. */
export function bannerText(s: Startup): string {
  const width = Math.max(...s.rows.map((r) => r.label.length));
  const rows = s.rows.map((r) => `  ${r.label.padEnd(width)}  ${r.value}${r.note ? `   ${r.note}` : ''}`);
  return ['', s.title, '', ...rows, '', s.footer, ''].join('\n') + '\n';
}

/** The same facts as one JSON line: `msg` is the title, each row's value under its field. */
export function bannerJson(s: Startup): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: s.title, ...Object.fromEntries(s.rows.map((r) => [r.field, r.value])) })}\n`;
}

/** Prints the banner on a terminal, the JSON line otherwise. */
export function announce(s: Startup, out: { isTTY?: boolean; write(text: string): unknown } = process.stdout): void {
  out.write(out.isTTY ? bannerText(s) : bannerJson(s));
}

/** What `npm start` prints once it is up (src/banner.ts). */
export function startBanner(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'temporalAddress' | 'apiToken' | 'temporalUiUrl'>,
  base: string,
  apiToken: string,
  /** Where traces go, when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT). */
  traces?: string,
): Startup {
  const data = config.databaseUrl
    ? `${config.dataDir} (Braid's data in PostgreSQL)`
    : `${config.dataDir} (braid.db${config.temporalAddress ? '' : ', temporal.db'})`;
  return {
    title: 'Braid is up.',
    rows: [
      { field: 'signIn', label: 'Sign in', value: `${base}/runs?token=${encodeURIComponent(apiToken)}`, note: 'opens the runs page' },
      { field: 'runs', label: 'Runs', value: `${base}/runs` },
      { field: 'editor', label: 'Editor', value: `${base}/editor` },
      {
        field: 'api',
        label: 'API',
        value: `${base}/v1`,
        note: `Authorization: Bearer <token>${config.apiToken ? ' (API_TOKEN)' : ` (the token is in ${config.dataDir}/api-token)`}`,
      },
      { field: 'docs', label: 'API docs', value: `${base}/docs` },
      {
        field: 'temporalUi',
        label: 'Temporal UI',
        value: config.temporalUiUrl,
        note: config.temporalAddress ? `server ${config.temporalAddress}` : 'the embedded dev server',
      },
      { field: 'data', label: 'Data', value: data },
      ...(traces ? [{ field: 'traces', label: 'Traces', value: traces, note: 'OpenTelemetry, over OTLP/HTTP' }] : []),
    ],
    footer: 'Ctrl-C stops Braid (the API, then the worker, then the server).',
  };
}

/** What `npm run cluster` prints once every part is up. */
export function clusterBanner(c: {
  seconds: number;
  server: string;
  apis: readonly string[];
  temporalAddress: string;
  uiUrl: string;
  postgresPort: number;
  dir: string;
  runDir: string;
  logDir: string;
}): Startup {
  return {
    title: `Braid cluster is up (${c.seconds.toFixed(1)} s): Temporal ${c.server} on PostgreSQL, two history hosts, two workers, two APIs.`,
    rows: [
      { field: 'apis', label: 'Braid API', value: c.apis.join('   and '), note: '(docs at /docs, runs at /runs, editor at /editor)' },
      { field: 'temporalAddress', label: 'Temporal frontend', value: c.temporalAddress, note: '(TEMPORAL_ADDRESS for the CLI and SDKs)' },
      { field: 'temporalUi', label: 'Temporal Web UI', value: c.uiUrl },
      { field: 'postgres', label: 'PostgreSQL', value: `127.0.0.1:${c.postgresPort}`, note: '(databases temporal, temporal_visibility, braid)' },
      { field: 'data', label: 'data', value: c.dir },
      { field: 'pids', label: 'pid files', value: `${c.runDir}/<part>.pid` },
      { field: 'logs', label: 'logs', value: `${c.logDir}/<part>.log` },
    ],
    footer: 'A part that dies is started again on the same data. Ctrl-C stops everything.',
  };
}
