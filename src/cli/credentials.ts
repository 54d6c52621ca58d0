/** `braid credentials`: the project's credentials (values go in, never come out). */
import type { CliContext } from './commands';
import { UsageError } from './commands';
import type { ExitCode } from './format';
import { EXIT } from './format';

interface CredentialView {
  name: string;
  type: string;
  allowedHosts: string[];
  createdAt: string;
  rotatedAt: string | null;
  lastUsedAt: string | null;
}

function dataOption(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new UsageError(`--data is not JSON: ${(err as Error).message}`);
  }
}

const line = (c: CredentialView) => `${c.name}\t${c.type}\t${c.allowedHosts.join(',')}\t${c.lastUsedAt ? `used ${c.lastUsedAt}` : 'never used'}`;

export async function credentialsListCommand(ctx: CliContext): Promise<ExitCode> {
  const { credentials } = await ctx.api.request<{ credentials: CredentialView[] }>('GET', '/v1/credentials');
  ctx.print(credentials, () => (credentials.length ? credentials.map(line).join('\n') : 'no credentials'));
  return EXIT.ok;
}

export async function credentialsCreateCommand(ctx: CliContext, name: string, opts: { type: string; data: string; host: string[] }): Promise<ExitCode> {
  const made = await ctx.api.request<CredentialView>('POST', '/v1/credentials', {
    name,
    type: opts.type,
    data: dataOption(opts.data),
    allowedHosts: opts.host,
  });
  ctx.print(made, () => `stored ${line(made)}`);
  return EXIT.ok;
}

export async function credentialsRotateCommand(ctx: CliContext, name: string, opts: { data: string; host?: string[] }): Promise<ExitCode> {
  const rotated = await ctx.api.request<CredentialView>('PUT', `/v1/credentials/${encodeURIComponent(name)}`, {
    data: dataOption(opts.data),
    ...(opts.host?.length ? { allowedHosts: opts.host } : {}),
  });
  ctx.print(rotated, () => `rotated ${line(rotated)}`);
  return EXIT.ok;
}

export async function credentialsDeleteCommand(ctx: CliContext, name: string): Promise<ExitCode> {
  await ctx.api.request('DELETE', `/v1/credentials/${encodeURIComponent(name)}`);
  ctx.print({ name, deleted: true }, () => `deleted ${name}`);
  return EXIT.ok;
}
