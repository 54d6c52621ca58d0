/** The commands for working together: API keys, who the CLI is, credentials, the audit log. */
import type { Command } from 'commander';
import { auditListCommand, auditVerifyCommand } from './audit';
import type { CliContext } from './commands';
import { credentialsCreateCommand, credentialsDeleteCommand, credentialsListCommand, credentialsRotateCommand } from './credentials';
import type { ExitCode } from './format';
import { membersRemoveCommand, membersSetCommand, projectsCreateCommand, projectsListCommand } from './projects';
import { keysCreateCommand, keysListCommand, keysRevokeCommand, whoamiCommand } from './keys';

type Run = <A extends unknown[]>(command: (ctx: CliContext, ...args: A) => Promise<ExitCode>) => (...args: A) => Promise<void>;

export function addTeamCommands(program: Command, run: Run): void {
  const keys = program.command('keys').description('API keys: a role per project, the secret shown once');
  keys
    .command('create')
    .description('make a key and print it (this once)')
    .argument('<name>')
    .option('--role <project=role...>', 'a role in a project: owner, editor, operator or viewer (repeatable)', [])
    .option('--expires-at <time>', 'an ISO time after which the key authenticates nobody')
    .action(run(keysCreateCommand));
  keys.command('list').description('the keys of the projects you own').action(run(keysListCommand));
  keys.command('revoke').description('revoke a key').argument('<id>').action(run(keysRevokeCommand));
  const projects = program.command('projects').description('projects: yours, a new one (administrators), and their members (owners)');
  projects.command('list').description('the projects you belong to, with your role').action(run(projectsListCommand));
  projects.command('create').description('make a project (administrators)').argument('<name>').action(run(projectsCreateCommand));
  projects
    .command('add-member')
    .description('give a principal (oidc:<subject>, key:<id>) a role in a project, or change it')
    .argument('<project>')
    .argument('<principal>')
    .argument('<role>', 'owner, editor, operator or viewer')
    .action(run(membersSetCommand));
  projects
    .command('remove-member')
    .description('take a principal out of a project')
    .argument('<project>')
    .argument('<principal>')
    .action(run(membersRemoveCommand));
  program.command('whoami').description("who the CLI's credential is: principal and roles").action(run(whoamiCommand));
  const credentials = program.command('credentials').description("the project's credentials, for http nodes' auth (values are never shown)");
  credentials.command('list').description('names, types, hosts and last use').action(run(credentialsListCommand));
  credentials
    .command('create')
    .argument('<name>')
    .requiredOption('--type <type>', 'bearer, basic, header, query or oauth2ClientCredentials')
    .requiredOption('--data <json>', 'the secret fields, e.g. \'{"token":"…"}\'')
    .requiredOption('--host <host...>', 'where it may be sent (host or host:port; repeatable)')
    .action(run(credentialsCreateCommand));
  credentials
    .command('rotate')
    .argument('<name>')
    .requiredOption('--data <json>', 'the new secret fields')
    .option('--host <host...>', 'new allowed hosts')
    .action(run(credentialsRotateCommand));
  credentials.command('delete').argument('<name>').action(run(credentialsDeleteCommand));
  const audit = program.command('audit').description('the audit log: who changed or decided what');
  audit
    .command('list')
    .description('the newest entries')
    .option('--project <name>', 'only entries of this project')
    .option('--action <action>', 'only this action (run.start, workflow.save, …)')
    .option('--principal <principal>', 'only entries of this principal')
    .option('--limit <n>', 'how many', '20')
    .action(run(auditListCommand));
  audit
    .command('verify')
    .description('read the whole log and check its hash chain (exit 1 naming the first entry out of place)')
    .action(run(auditVerifyCommand));
}
