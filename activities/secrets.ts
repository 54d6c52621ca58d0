/**
 * Resolves `$secrets.NAME` placeholders (see `src/graph/secrets.ts`) from env
 * `BRAID_SECRET_NAME`, inside the activity, at request time, and masks secret
 * values in whatever an activity gives back.
 *
 * Only placeholders of the request's own scope are resolved: those with the
 * run's nonce (or the old form, for a run recorded before nonces). Anything
 * else that looks like one came from data and stays as it is.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../src/graph/failures';
import type { SecretScope } from '../src/graph/secrets';
import { mapSecretStrings, SECRET_PLACEHOLDER_PATTERN } from '../src/graph/secrets';
import { setOwnProperty } from '../src/graph/own-property';
import { DEFAULT_PROJECT } from '../src/graph/project-ids';

export const SECRET_ENV_PREFIX = 'BRAID_SECRET_';
/** Webhook verification keys: never readable by workflows (`$secrets` cannot name them). */
export const WEBHOOK_SECRET_ENV_PREFIX = 'BRAID_WEBHOOK_SECRET_';

/** Which projects may read which `BRAID_SECRET_*` (env SECRET_GRANTS). */
export const SECRET_GRANTS_ENV = 'SECRET_GRANTS';

export type SecretResolver = <T>(value: T, scope: SecretScope | undefined, project?: string) => T;

/**
 * SECRET_GRANTS: `acme=STRIPE_KEY,SLACK_TOKEN;shop=SLACK_TOKEN`. A project
 * reads only the secrets granted to it; `default` reads every one (as before
 * projects) unless the variable names it. Throws on text that is not in that
 * form, so a worker with a mistyped grant does not start.
 */
export function parseSecretGrants(text: string | undefined): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const entry of (text ?? '').split(';').map((e) => e.trim())) {
    if (entry === '') continue;
    const m = /^([a-z][a-z0-9-]{0,29})\s*=\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)?$/.exec(entry);
    if (!m) throw new Error(`${SECRET_GRANTS_ENV}: "${entry}" is not <project>=<SECRET_NAME>[,<SECRET_NAME>…]`);
    const names = grants.get(m[1]!) ?? new Set<string>();
    for (const name of (m[2] ?? '').split(',').map((n) => n.trim())) if (name) names.add(name);
    grants.set(m[1]!, names);
  }
  return grants;
}

function grantedTo(grants: Map<string, Set<string>>, project: string, name: string): boolean {
  const granted = grants.get(project);
  if (granted) return granted.has(name);
  return project === DEFAULT_PROJECT;
}

export function createSecretResolver(env: Record<string, string | undefined>): SecretResolver {
  const grants = parseSecretGrants(env[SECRET_GRANTS_ENV]);
  return <T>(value: T, scope: SecretScope | undefined, project: string = DEFAULT_PROJECT): T => {
    if (!scope) return value;
    return mapSecretStrings(value, (text) =>
      text.replace(SECRET_PLACEHOLDER_PATTERN, (match, nonce: string | undefined, name: string) => {
        const ours = 'secretNonce' in scope ? nonce === scope.secretNonce : nonce === undefined;
        if (!ours) return match;
        if (env[`${WEBHOOK_SECRET_ENV_PREFIX}${name}`] !== undefined) {
          throw ApplicationFailure.nonRetryable(`secret "${name}" is a webhook verification key; workflows cannot read it`, FAILURE_TYPES.invalidNodeData);
        }
        const secret = env[`${SECRET_ENV_PREFIX}${name}`];
        // Not granted and not set answer alike: a project learns nothing of the secrets it may not read.
        if (secret === undefined || !grantedTo(grants, project, name)) {
          throw ApplicationFailure.nonRetryable(
            `secret "${name}" is not set (env ${SECRET_ENV_PREFIX}${name}) or not granted to project "${project}" (${SECRET_GRANTS_ENV})`,
            FAILURE_TYPES.invalidNodeData,
          );
        }
        return secret;
      }),
    );
  };
}

/** Values shorter than this are not masked: they would mask ordinary text. */
export const MIN_MASKED_LENGTH = 4;
export const MASK = '***';

/**
 * Masks every exact occurrence of a secret's value (as GitHub Actions does),
 * in strings at any depth and in object keys. The values are read from env
 * `BRAID_SECRET_*` and `BRAID_WEBHOOK_SECRET_*` when the masker is built.
 */
export function createSecretMasker(env: Record<string, string | undefined>) {
  return maskerFor(
    Object.entries(env)
      .filter(([k, v]) => (k.startsWith(SECRET_ENV_PREFIX) || k.startsWith(WEBHOOK_SECRET_ENV_PREFIX)) && typeof v === 'string')
      .map(([, v]) => v!),
  );
}

/** A masker of these values (those of MIN_MASKED_LENGTH or more): a credential's, for one request. */
export function maskerFor(secrets: readonly string[]) {
  const values = secrets
    .filter((v) => v.length >= MIN_MASKED_LENGTH)
    // Longest first, so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  const maskText = (text: string): string => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  };
  const mask = <T>(value: T): T => {
    if (values.length === 0) return value;
    if (typeof value === 'string') return maskText(value) as T;
    if (Array.isArray(value)) return value.map(mask) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) setOwnProperty(out, maskText(k), mask(v));
      return out as T;
    }
    return value;
  };
  return { mask, maskText, active: values.length > 0 };
}
export type SecretMasker = ReturnType<typeof createSecretMasker>;
