/**
 * An `http` node's credential (`data.auth.credential`), applied inside the
 * activity: read and opened from the credentials store at each attempt (a
 * rotation takes effect at the next one), refused before any request when
 * the target is not one of its `allowedHosts`, added to the request
 * (Authorization, a header or a query parameter; an OAuth2 client-credentials
 * token fetched and cached by this worker until it expires, fetched again
 * once on a 401), and masked, with every value derived from it, in what the
 * activity gives back. The workflow's history holds the credential's name
 * only.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import { runProject } from './run-project';
import type { StoredCredential } from '../src/credentials/types';
import { hostAllowed } from '../src/credentials/types';
import { FAILURE_TYPES } from '../src/graph/failures';
import type { HttpRequestInput, HttpResponseOutput } from './http-request';
import { maskedFailure } from './masked';
import { maskerFor } from './secrets';

export interface CredentialSource {
  resolve(project: string, name: string): Promise<(StoredCredential & { version: number }) | undefined>;
}

/** What a credential adds to one request, and the values to mask. */
interface Applied {
  headers: Record<string, string>;
  query: Record<string, string>;
  secrets: string[];
  /** OAuth2: forget the cached token and fetch another (after a 401). */
  renew?: () => Promise<Applied>;
}

/** A source made when the first credential is needed (a worker whose nodes name none never opens the store). */
export function lazyCredentials(make: () => Promise<CredentialSource>): CredentialSource {
  let made: Promise<CredentialSource> | undefined;
  return {
    resolve: async (project, name) =>
      (
        await (made ??= make().catch((err: unknown) => {
          made = undefined;
          throw err;
        }))
      ).resolve(project, name),
  };
}

type HttpFn = (input: HttpRequestInput, waited: (ms: number) => void) => Promise<HttpResponseOutput>;

const refused = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type);

/** Tokens by credential and version, in this worker's memory; refreshed a little before they expire. */
function createTokenCache(dispatcher: Dispatcher) {
  const tokens = new Map<string, { token: string; expiresAtMs: number }>();
  async function fetchToken(c: Extract<StoredCredential, { type: 'oauth2ClientCredentials' }>): Promise<{ token: string; expiresAtMs: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(c.data.scope ? { scope: c.data.scope } : {}) });
    const basic = Buffer.from(`${encodeURIComponent(c.data.clientId)}:${encodeURIComponent(c.data.clientSecret)}`).toString('base64');
    const res = await fetch(c.data.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body: form.toString(),
      dispatcher,
      redirect: 'error',
    });
    const body = (await res.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (!res.ok || typeof body?.access_token !== 'string') {
      throw ApplicationFailure.retryable(
        `credential "${c.name}": the token endpoint answered HTTP ${res.status} without an access_token`,
        FAILURE_TYPES.credentialToken,
      );
    }
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    return { token: body.access_token, expiresAtMs: Date.now() + Math.max(0, lifetimeS - 30) * 1000 };
  }
  return async (c: Extract<StoredCredential, { type: 'oauth2ClientCredentials' }> & { version: number }, fresh: boolean) => {
    const key = JSON.stringify([c.project, c.name, c.version]);
    const cached = tokens.get(key);
    if (!fresh && cached && cached.expiresAtMs > Date.now()) return cached.token;
    const got = await fetchToken(c);
    tokens.set(key, got);
    if (tokens.size > 10_000) tokens.delete(tokens.keys().next().value!);
    return got.token;
  };
}

export function withCredentials(http: HttpFn, source: CredentialSource | undefined, dispatcher: Dispatcher): HttpFn {
  const token = createTokenCache(dispatcher);

  async function apply(c: StoredCredential & { version: number }, fresh = false): Promise<Applied> {
    const base = { headers: {}, query: {} };
    switch (c.type) {
      case 'bearer':
        return { ...base, headers: { authorization: `Bearer ${c.data.token}` }, secrets: [c.data.token] };
      case 'basic': {
        const encoded = Buffer.from(`${c.data.username}:${c.data.password}`).toString('base64');
        return { ...base, headers: { authorization: `Basic ${encoded}` }, secrets: [c.data.password, encoded] };
      }
      case 'header':
        return { ...base, headers: { [c.data.name]: c.data.value }, secrets: [c.data.value] };
      case 'query':
        // As it is, and as a URL carries it (percent-encoded, or form-encoded with "+").
        return {
          ...base,
          query: { [c.data.name]: c.data.value },
          secrets: [c.data.value, encodeURIComponent(c.data.value), new URLSearchParams({ v: c.data.value }).toString().slice(2)],
        };
      case 'oauth2ClientCredentials': {
        const access = await token(c, fresh);
        return {
          ...base,
          headers: { authorization: `Bearer ${access}` },
          secrets: [access, c.data.clientSecret],
          ...(fresh ? {} : { renew: () => apply(c, true) }),
        };
      }
    }
  }

  return async (input, waited) => {
    const name = input.credential;
    if (name === undefined) return http(input, waited);
    // The run's project, from the id Braid gave its workflow (project-ids.ts), never from the node's data.
    const project = runProject();
    const credential = source ? await source.resolve(project, name) : undefined;
    if (!credential) throw refused(`credential "${name}" does not exist in project "${project}"`, FAILURE_TYPES.invalidNodeData);
    let target: URL;
    try {
      target = new URL(input.url);
    } catch {
      throw refused(`a request with credential "${name}" needs a plain absolute URL`, FAILURE_TYPES.invalidNodeData);
    }
    if (!hostAllowed(target, credential.allowedHosts)) {
      throw refused(
        `credential "${name}" may be sent only to ${credential.allowedHosts.join(', ')}; not to ${target.host}`,
        FAILURE_TYPES.credentialHostRefused,
      );
    }
    let applied = await apply(credential);
    const send = (a: Applied) =>
      http(
        {
          ...input,
          headers: { ...input.headers, ...a.headers },
          ...(Object.keys(a.query).length ? { query: { ...input.query, ...a.query } } : {}),
          sensitiveHeaders: Object.keys(a.headers),
        },
        waited,
      );
    const secrets = new Set(applied.secrets);
    const attempt = async () => {
      try {
        const out = await send(applied);
        if (out.status !== 401 || !applied.renew) return out;
      } catch (err) {
        const status = (err as ApplicationFailure).details?.[0] as { status?: unknown } | undefined;
        if (!(err instanceof ApplicationFailure) || status?.status !== 401 || !applied.renew) throw err;
      }
      // A 401 with a cached OAuth2 token: one more token, one more try.
      applied = await applied.renew();
      for (const s of applied.secrets) secrets.add(s);
      return send(applied);
    };
    try {
      return maskerFor([...secrets]).mask(await attempt());
    } catch (err) {
      throw maskedFailure(maskerFor([...secrets]), err);
    }
  };
}
