/** `braid keys` and `braid whoami`: API keys with a role per project, and who the CLI's credential is. */
import type { CliContext } from './commands';
import { UsageError } from './commands';
import type { ExitCode } from './format';
import { EXIT } from './format';

interface KeyView {
  id: string;
  name: string;
  principal: string;
  roles: Record<string, string>;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** `--role default=operator` (repeatable) as a roles map. */
export function parseRoles(pairs: readonly string[]): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([^=\s]+)=(owner|editor|operator|viewer)$/.exec(pair);
    if (!m) throw new UsageError(`--role ${pair}: write <project>=<owner|editor|operator|viewer>`);
    roles[m[1]!] = m[2]!;
  }
  if (Object.keys(roles).length === 0) throw new UsageError('a key needs at least one --role <project>=<role>');
  return roles;
}

const rolesText = (roles: Record<string, string>) =>
  Object.entries(roles)
    .map(([p, r]) => `${p}=${r}`)
    .join(',');

export async function keysCreateCommand(ctx: CliContext, name: string, opts: { role: string[]; expiresAt?: string }): Promise<ExitCode> {
  const made = await ctx.api.request<KeyView & { key: string }>('POST', '/v1/keys', {
    name,
    roles: parseRoles(opts.role),
    ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}),
  });
  ctx.note('The key is shown this once; Braid keeps only its hash.');
  ctx.print(made, () => made.key);
  return EXIT.ok;
}

export async function keysListCommand(ctx: CliContext): Promise<ExitCode> {
  const { keys } = await ctx.api.request<{ keys: KeyView[] }>('GET', '/v1/keys');
  ctx.print(keys, () =>
    keys.length
      ? keys
          .map(
            (k) => `${k.id}\t${k.name}\t${rolesText(k.roles)}\t${k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt ? `expires ${k.expiresAt}` : 'active'}`,
          )
          .join('\n')
      : 'no keys',
  );
  return EXIT.ok;
}

export async function keysRevokeCommand(ctx: CliContext, id: string): Promise<ExitCode> {
  await ctx.api.request('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
  ctx.print({ id, revoked: true }, () => `revoked ${id}`);
  return EXIT.ok;
}

export async function whoamiCommand(ctx: CliContext): Promise<ExitCode> {
  const me = await ctx.api.request<{ principal: string; admin: boolean; roles: Record<string, string> }>('GET', '/v1/whoami');
  ctx.print(me, () => `${me.principal}${me.admin ? ' (administrator)' : ''}${Object.keys(me.roles).length ? ` ${rolesText(me.roles)}` : ''}`);
  return EXIT.ok;
}
