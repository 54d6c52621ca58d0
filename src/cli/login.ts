/**
 * `braid login` and `braid logout`: the CLI remembers one API and the key
 * it signs in with, in `<config dir>/braid/login.json` (mode 0600; the
 * config dir is XDG_CONFIG_HOME, else ~/.config). The key is read from
 * standard input, never from the command line (where `ps` and shell history
 * would keep it), and checked with /v1/whoami before it is saved.
 * API_TOKEN and BRAID_URL still win over what is saved.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createApiClient } from './client';
import type { CliContext } from './commands';
import { UsageError } from './commands';
import type { ExitCode } from './format';
import { EXIT } from './format';

export interface SavedLogin {
  url: string;
  token: string;
}

export const loginFile = (configDir: string) => join(configDir, 'braid', 'login.json');

/** What `braid login` saved, if anything readable. */
export function readLogin(configDir: string | undefined): SavedLogin | undefined {
  if (!configDir) return undefined;
  try {
    const saved = JSON.parse(readFileSync(loginFile(configDir), 'utf8')) as Partial<SavedLogin>;
    return typeof saved.url === 'string' && typeof saved.token === 'string' ? { url: saved.url, token: saved.token } : undefined;
  } catch {
    return undefined;
  }
}

export interface LoginIo {
  configDir?: string;
  /** Standard input, whole. */
  readStdin: () => Promise<string>;
}

export async function loginCommand(ctx: CliContext, io: LoginIo, opts: { url?: string }): Promise<ExitCode> {
  if (!io.configDir) throw new UsageError('no folder to keep the login in: set XDG_CONFIG_HOME or HOME');
  const url = (opts.url ?? ctx.api.baseUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UsageError(`--url ${url}: write the API's address, e.g. https://braid.example.com`);
  const token = (await io.readStdin()).split('\n')[0]!.trim();
  if (!token) throw new UsageError('give the key on standard input: braid login --url <url> < key.txt');
  // Checked before it is saved: a wrong key or address fails here, not at the next command.
  const me = await createApiClient({ baseUrl: url, token }).request<{ principal: string; admin: boolean; roles: Record<string, string> }>('GET', '/v1/whoami');
  const file = loginFile(io.configDir);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify({ url, token } satisfies SavedLogin)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  const roles = Object.entries(me.roles)
    .map(([p, r]) => `${p}=${r}`)
    .join(', ');
  ctx.print(
    { url, principal: me.principal, admin: me.admin, roles: me.roles },
    () => `signed in to ${url} as ${me.principal}${me.admin ? ' (administrator)' : ''}${roles ? `: ${roles}` : ''}`,
  );
  return EXIT.ok;
}

export async function logoutCommand(ctx: CliContext, io: Pick<LoginIo, 'configDir'>): Promise<ExitCode> {
  const saved = io.configDir ? readLogin(io.configDir) : undefined;
  if (io.configDir) rmSync(loginFile(io.configDir), { force: true });
  ctx.print({ loggedOut: saved !== undefined }, () => (saved ? `forgot the key for ${saved.url}` : 'no login was saved'));
  return EXIT.ok;
}
