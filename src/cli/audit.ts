/** `braid audit`: the audit log's entries, and a check of its hash chain. */
import type { AuditEntry } from '../audit/chain';
import { chainProblem } from '../audit/chain';
import type { CliContext } from './commands';
import type { ExitCode } from './format';
import { EXIT } from './format';

interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return q.size ? `?${q}` : '';
}

const line = (e: AuditEntry) => `${e.id}\t${e.at}\t${e.principal}\t${e.project}\t${e.action}\t${e.target}`;

/** `braid audit list`: the newest entries, filtered. */
export async function auditListCommand(ctx: CliContext, opts: { project?: string; action?: string; principal?: string; limit: string }): Promise<ExitCode> {
  const page = await ctx.api.request<AuditPage>(
    'GET',
    `/v1/audit${query({ project: opts.project, action: opts.action, principal: opts.principal, limit: opts.limit })}`,
  );
  ctx.print(page, () => (page.entries.length ? page.entries.map(line).join('\n') : 'no entries'));
  return EXIT.ok;
}

/**
 * `braid audit verify`: reads the whole log and checks its chain; exit 0 when
 * every entry is in place, 1 naming the first that is not.
 */
export async function auditVerifyCommand(ctx: CliContext): Promise<ExitCode> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.api.request<AuditPage>('GET', `/v1/audit${query({ limit: '500', cursor })}`);
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const problem = chainProblem(entries);
  ctx.print({ entries: entries.length, intact: problem === undefined, ...(problem ? { problem } : {}) }, () =>
    problem ? `the audit log's chain is broken: ${problem}` : `the audit log's chain is intact: ${entries.length} entries`,
  );
  return problem ? EXIT.failed : EXIT.ok;
}
