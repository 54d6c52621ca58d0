/**
 * Every environment variable Braid reads, for people: its default and what it
 * does. docs/configuration.md is generated from this list (`npm run docs`),
 * and test/config-docs.test.ts checks it against the configuration schema,
 * so a variable cannot be added without being documented.
 */
export interface EnvVariableDoc {
  /** One or more names that go together; `<NAME>` stands for any name. */
  names: readonly string[];
  /** Markdown. */
  default: string;
  /** Markdown. */
  meaning: string;
}

export const ENV_VARIABLES: readonly EnvVariableDoc[] = [
  { names: ['PORT'], default: '`3000`', meaning: 'API port' },
  { names: ['HOST'], default: '`127.0.0.1`', meaning: 'API address' },
  {
    names: ['API_TOKEN'],
    default: 'made on first start, in `$DATA_DIR/api-token`',
    meaning: "`/v1/*`, `/metrics` and `/codec/*` need `Authorization: Bearer <token>`; the pages ask for it once, or take the sign-in link's `?token=`",
  },
  {
    names: ['PUBLIC_URL'],
    default: '—',
    meaning: 'the address people reach the API by (`https://braid.example.com`): its host is answered besides loopback names; any other `Host` gets 421',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER'],
    default: '— (no traces)',
    meaning:
      "OpenTelemetry's own variables: set the endpoint (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and the API and worker send traces over OTLP/HTTP (`http/protobuf` by default, or `http/json`); see docs/operations.md",
  },
  {
    names: ['OTEL_TRACE_URL'],
    default: '—',
    meaning:
      "a trace's address in your tracing UI with `{traceId}` in it (`http://localhost:16686/trace/{traceId}`): a traced run's `links.trace` and the run page's trace link",
  },
  { names: ['TRUSTED_PROXIES'], default: '—', meaning: 'comma-separated proxy addresses whose `X-Forwarded-For` names the client (rate limits by address)' },
  {
    names: ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'],
    default: '—',
    meaning:
      'people sign in to the pages with OpenID Connect (authorization code with PKCE) at this issuer; needs `PUBLIC_URL` (the redirect URI is `$PUBLIC_URL/ui/oidc/callback`); a person is `oidc:<subject>`',
  },
  {
    names: ['BRAID_ADMINS'],
    default: '—',
    meaning: 'principals that administer Braid besides the API token (`key:<id>`), comma-separated: every permission in every project',
  },
  { names: ['SSE_STREAMS_PER_PRINCIPAL'], default: '`100`', meaning: 'event streams one principal may hold open; 429 past it' },
  {
    names: ['ACTIVITY_ALLOWLIST'],
    default: '— (nothing)',
    meaning: "what `activity` nodes may call: `taskQueue:activityType`, comma-separated, `*` on either side; Braid's own activities never",
  },
  { names: ['TEMPORAL_ADDRESS'], default: '—', meaning: 'an existing cluster (`host:7233`); when set, `npm start` starts no server' },
  { names: ['TEMPORAL_NAMESPACE'], default: '`default`', meaning: 'namespace' },
  { names: ['TEMPORAL_PORT'], default: '`7233`', meaning: "embedded dev server's gRPC port" },
  { names: ['TEMPORAL_UI_PORT'], default: '`8233`', meaning: "embedded dev server's Web UI port" },
  { names: ['TEMPORAL_UI_URL'], default: '`http://localhost:$TEMPORAL_UI_PORT`', meaning: 'base of the Web UI links the API returns' },
  {
    names: ['TEMPORAL_UI_UPSTREAM'],
    default: 'unset',
    meaning:
      'a Web UI server (running with publicPath `/temporal`) the API serves at `/temporal` to signed-in people; `npm run cluster` and docker-compose set it',
  },
  {
    names: ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'],
    default: 'unset',
    meaning:
      "PEM files for mutual TLS to the Temporal frontend (the CA that signed its certificate; this client's certificate and key, which go together); `npm run cluster` and docker-compose set them",
  },
  {
    names: ['TEMPORAL_TLS_SERVER_NAME'],
    default: "the address's host",
    meaning: "the name the frontend's certificate is checked against (`temporal-frontend` in the cluster)",
  },
  {
    names: ['TASK_QUEUE'],
    default: '`braid`',
    meaning: 'task queue of the runs; the worker also polls `<TASK_QUEUE>-flow`, where admission and debounce/batch workflows run on slots of their own',
  },
  { names: ['DATA_DIR'], default: '`./.data`', meaning: 'where the embedded server keeps `temporal.db`, and saved workflows live in `braid.db` (SQLite)' },
  { names: ['DATABASE_URL'], default: '—', meaning: '`postgres://user:pass@host:5432/db`: keep saved workflows in PostgreSQL instead' },
  { names: ['LOG_LEVEL'], default: '`info`', meaning: '`debug`, `info`, `warn`, `error`, `silent`' },
  { names: ['MAX_BODY_BYTES'], default: '`1048576`', meaning: 'largest request body (a larger one gets 413 with `Connection: close`)' },
  {
    names: ['RATE_LIMIT_PER_MINUTE'],
    default: '`600`',
    meaning:
      'writes per principal (else per client address) per minute, per API replica; `0` turns it off (failed authentications are still limited: 429 after 20 a minute from one address)',
  },
  {
    names: ['HTTP_ALLOWLIST'],
    default: '—',
    meaning:
      "comma-separated hosts or CIDRs `http` nodes may reach although private (`127.0.0.1,10.0.0.0/8,api.internal`), each with an optional port (`127.0.0.1:4000`); the API's, the worker metrics', the Temporal frontend's and Web UI's ports are reached only through an entry that names the port",
  },
  { names: ['HTTP_MAX_RESPONSE_BYTES'], default: '`1048576`', meaning: 'largest response an `http` node accepts' },
  {
    names: ['CODE_SANDBOXES'],
    default: '`16`',
    meaning: 'most sandbox threads for `code` nodes per worker process (each runs one node at a time; started when needed, idle ones past two end after 30 s)',
  },
  { names: ['BRAID_SECRET_<NAME>'], default: '—', meaning: 'the value of `$secrets.<NAME>` (worker); masked as `***` wherever it would appear' },
  { names: ['BRAID_WEBHOOK_SECRET_<NAME>'], default: '—', meaning: 'the key of webhook triggers with `"secret": "<NAME>"` (API); never readable by workflows' },
  {
    names: ['BRAID_ENCRYPTION_KEY'],
    default: '—',
    meaning:
      'base64 of 32 bytes: encrypt every payload in Temporal with AES-256-GCM; the credentials store seals with a key derived from it (unset: a key file `$DATA_DIR/credentials.key`, made on first start)',
  },
  { names: ['BRAID_ENCRYPTION_KEY_ID'], default: '`default`', meaning: 'id recorded with each encrypted payload' },
  { names: ['BRAID_DECRYPTION_KEYS'], default: '—', meaning: 'older keys still accepted for decryption, `id:base64,…`' },
  { names: ['BRAID_NODE_TYPES'], default: '—', meaning: 'a module of custom node types (`defineNodeType`), loaded by the API and the worker' },
  { names: ['WORKER_METRICS_PORT'], default: '—', meaning: "the worker serves the Temporal SDK's metrics (Prometheus) on this port" },
  { names: ['WORKER_MAX_ACTIVITIES'], default: '2000', meaning: "activities one worker runs at once; past it, activity tasks wait in Temporal's task queue" },
  {
    names: ['HTTP_HOST_LIMITS'],
    default: '—',
    meaning: 'hard caps on concurrent requests per target, `host=N` (any port) or `host:port=N`, comma-separated; per worker process',
  },
  { names: ['HTTP_ADAPTIVE_CONCURRENCY'], default: '`on`', meaning: '`off`: no adaptive per-origin limit for `http` nodes, only `HTTP_HOST_LIMITS`' },
  { names: ['BRAID_URL'], default: '`http://127.0.0.1:3000`', meaning: 'the API the `braid` CLI talks to (with `API_TOKEN`)' },
  {
    names: ['PAYLOAD_STORE'],
    default: '`file://$DATA_DIR/payloads`',
    meaning: 'where payloads over the threshold go (claim check): `file:///path`, `s3://bucket/prefix`, or `off`',
  },
  { names: ['PAYLOAD_THRESHOLD_BYTES'], default: '`131072`', meaning: "payloads larger than this are stored outside Temporal's history" },
  {
    names: ['S3_ENDPOINT', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    default: '—',
    meaning: 'the S3-compatible service of an `s3://` `PAYLOAD_STORE` (AWS S3 when `S3_ENDPOINT` is unset)',
  },
  { names: ['RESTART_BACKOFF_MS'], default: '`1000`', meaning: "`npm start`: the first restart's delay; each further restart in a row doubles it, up to 30 s" },
  {
    names: ['RESTART_LIMIT'],
    default: '`5`',
    meaning: '`npm start`: restarts in a row of the server or the worker before it gives up and exits 1 (`0`: never restart)',
  },
];
