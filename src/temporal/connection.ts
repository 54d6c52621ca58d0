/** Connections to Temporal for the API (client) and the worker (native). */
import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalTlsFiles } from '../config';
import { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../graph/run-state';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../logger';

/**
 * The API's retry policy for Temporal calls: a few quick retries (about a
 * second in all) instead of the SDK's default of ten over ~20 s, so a request
 * made while Temporal is down gets its 503 promptly.
 */
export const API_GRPC_RETRY = { maxAttempts: 4, factor: 2, maxJitter: 0.2, initialIntervalMs: () => 100, maxIntervalMs: () => 500 };

/**
 * The SDK's TLS settings from PEM files (TEMPORAL_TLS_*), read now so a
 * renewed certificate is used by the next connection; undefined: plaintext.
 */
export function temporalTlsConfig(files: TemporalTlsFiles | undefined): TLSConfig | undefined {
  if (!files) return undefined;
  const read = (path: string, name: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return {
    ...(files.serverName ? { serverNameOverride: files.serverName } : {}),
    ...(files.ca ? { serverRootCACertificate: read(files.ca, 'TEMPORAL_TLS_CA') } : {}),
    ...(files.cert && files.key ? { clientCertPair: { crt: read(files.cert, 'TEMPORAL_TLS_CERT'), key: read(files.key, 'TEMPORAL_TLS_KEY') } } : {}),
  };
}

/** A client on a lazy connection: the API starts (and answers 503) while Temporal is down. */
export function createApiClient(address: string, namespace = 'default', dataConverter?: DataConverter, tls?: TemporalTlsFiles): Client {
  const tlsConfig = temporalTlsConfig(tls);
  const connection = Connection.lazy({
    address,
    ...(tlsConfig ? { tls: tlsConfig } : {}),
    connectTimeout: 2_000,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(API_GRPC_RETRY))],
  });
  return new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) });
}

export function connectWorker(address: string, tls?: TemporalTlsFiles): Promise<NativeConnection> {
  const tlsConfig = temporalTlsConfig(tls);
  return NativeConnection.connect({ address, ...(tlsConfig ? { tls: tlsConfig } : {}) });
}

/**
 * Registers Braid's search attributes (workflow name and version) on
 * clusters that lack them; the embedded dev server registers them at start-up.
 */
export async function ensureSearchAttributes(client: Client, namespace: string, logger?: Logger): Promise<void> {
  try {
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((name) => existing.customAttributes?.[name] === undefined);
    if (missing.length === 0) return;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
    logger?.info('registered search attributes', { names: missing });
  } catch (err) {
    logger?.warn('could not register search attributes; filtering runs by workflow name or version may fail', {
      names: SEARCH_ATTRIBUTES,
      err: (err as Error).message,
    });
  }
}
