/**
 * Resolves `$secrets.NAME` placeholders (see `src/graph/secrets.ts`) from env
 * `BRAID_SECRET_NAME`, inside the activity, at request time.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../src/graph/failures';
import { mapSecretStrings, SECRET_PLACEHOLDER_PATTERN } from '../src/graph/secrets';

export const SECRET_ENV_PREFIX = 'BRAID_SECRET_';

export function createSecretResolver(env: Record<string, string | undefined>) {
  return <T>(value: T): T =>
    mapSecretStrings(value, (text) =>
      text.replace(SECRET_PLACEHOLDER_PATTERN, (_match, name: string) => {
        const secret = env[`${SECRET_ENV_PREFIX}${name}`];
        if (secret === undefined) {
          throw ApplicationFailure.nonRetryable(
            `secret "${name}" is not set (env ${SECRET_ENV_PREFIX}${name})`,
            FAILURE_TYPES.invalidNodeData,
          );
        }
        return secret;
      }),
    );
}
