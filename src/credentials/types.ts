/**
 * Credentials: the types a credential can be, the secret fields of each, and
 * the hosts it may be sent to. A credential belongs to a project and is
 * named by an `http` node (`data.auth: { credential: "<name>" }`); its values
 * are resolved only inside the activity, sent only to `allowedHosts`, and
 * masked wherever Braid stores or shows text.
 */
import { z } from 'zod';
import { buildOnce } from '../graph/build-once';

export const CREDENTIAL_TYPES = ['bearer', 'basic', 'header', 'query', 'oauth2ClientCredentials'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

const secret = buildOnce('src/credentials/types#secret', () => z.string().min(1).max(8192));
const fieldName = buildOnce('src/credentials/types#fieldName', () =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a header or parameter name'),
);

/** Each type's data: the secret fields as the caller sends them (never answered back). */
export const CREDENTIAL_DATA = buildOnce(
  'src/credentials/types#CREDENTIAL_DATA',
  () =>
    ({
      bearer: z.object({ token: secret }).strict(),
      basic: z.object({ username: z.string().min(1).max(1024), password: secret }).strict(),
      header: z.object({ name: fieldName, value: secret }).strict(),
      query: z.object({ name: fieldName, value: secret }).strict(),
      oauth2ClientCredentials: z
        .object({
          tokenUrl: z
            .string()
            .url()
            .refine((u) => /^https?:/.test(u), 'must be an http(s) URL'),
          clientId: z.string().min(1).max(1024),
          clientSecret: secret,
          scope: z.string().max(2048).optional(),
        })
        .strict(),
    }) as const satisfies Record<CredentialType, z.ZodType>,
);

export type CredentialData = { [T in CredentialType]: z.output<(typeof CREDENTIAL_DATA)[T]> };

/** A credential's name: how nodes name it. */
export const credentialNameSchema = buildOnce('src/credentials/types#credentialNameSchema', () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and have letters, digits, "_" and "-"'),
);

/** A host a credential may go to: `api.stripe.com`, or with a port, `127.0.0.1:4000`. */
export const allowedHostSchema = buildOnce('src/credentials/types#allowedHostSchema', () =>
  z
    .string()
    .min(1)
    .max(260)
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be a host, or host:port, such as "api.stripe.com"')
    .transform((h) => h.toLowerCase()),
);

/** A credential as it is kept (decrypted, in the worker only). */
export type StoredCredential = { [T in CredentialType]: { type: T; data: CredentialData[T] } }[CredentialType] & {
  project: string;
  name: string;
  allowedHosts: string[];
};

/**
 * Whether `url` is one of `allowedHosts`: the host alone matches the
 * scheme's default port only; `host:port` matches that port.
 */
export function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const defaultPort = url.port === '';
  return allowedHosts.some((entry) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m) return false;
    return m[1] === host && (m[2] === undefined ? defaultPort : m[2] === port);
  });
}
