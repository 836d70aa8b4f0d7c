// `tessera audit [--limit N]`: the most recent admin API changes (who, what, when), newest
// first, from the audit_log table. Before/after are in --json.
import type { Command } from 'commander';
import { auditJson } from '../../admin/audit.js';
import { CliError, printJson, printTable, time, withStore } from '../output.js';

export function auditCommand(program: Command): void {
  program.command('audit')
    .description('list recent changes made through the admin API, newest first')
    .option('-c, --config <file>', 'configuration file')
    .option('--limit <n>', 'how many (1-1000)', '20')
    .option('--json', 'print JSON, with each change\'s before and after')
    .action((o: { limit: string; json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const limit = Number(o.limit);
      if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be a whole number from 1 to 1000 (got ${JSON.stringify(o.limit)})`, 2);
      const entries = await store.audit.list(limit);
      if (o.json) return printJson(entries.map(auditJson));
      printTable(
        { seq: 'SEQ', when: 'TIME', actor: 'ACTOR', action: 'ACTION', resource_id: 'ID' },
        entries.map((e) => ({ ...e, when: time(e.at), actor: e.actor_user_id ? `${e.actor_client_id} (user ${e.actor_user_id})` : e.actor_client_id })),
        'no admin changes yet',
      );
    }));
}
