/** `braid projects`: the projects you belong to, making one (administrators), and giving people and keys roles in one (owners). */
import type { CliContext } from './commands';
import { UsageError } from './commands';
import type { ExitCode } from './format';
import { EXIT } from './format';

export async function projectsListCommand(ctx: CliContext): Promise<ExitCode> {
  const { projects } = await ctx.api.request<{ projects: { name: string; role: string | null }[] }>('GET', '/v1/projects');
  ctx.print(projects, () => (projects.length ? projects.map((p) => `${p.name}\t${p.role ?? '(administrator)'}`).join('\n') : 'no projects'));
  return EXIT.ok;
}

export async function projectsCreateCommand(ctx: CliContext, name: string): Promise<ExitCode> {
  const made = await ctx.api.request<{ name: string }>('POST', '/v1/projects', { name });
  ctx.print(made, () => `made project ${made.name}`);
  return EXIT.ok;
}

const memberPath = (project: string, principal: string) => `/v1/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(principal)}`;

export async function membersSetCommand(ctx: CliContext, project: string, principal: string, role: string): Promise<ExitCode> {
  if (!['owner', 'editor', 'operator', 'viewer'].includes(role)) throw new UsageError(`${role}: a role is owner, editor, operator or viewer`);
  const member = await ctx.api.request<{ project: string; principal: string; role: string }>('PUT', memberPath(project, principal), { role });
  ctx.print(member, () => `${member.principal} is ${member.role} in ${member.project}`);
  return EXIT.ok;
}

export async function membersRemoveCommand(ctx: CliContext, project: string, principal: string): Promise<ExitCode> {
  await ctx.api.request('DELETE', memberPath(project, principal));
  ctx.print({ project, principal, removed: true }, () => `${principal} is no longer in ${project}`);
  return EXIT.ok;
}
