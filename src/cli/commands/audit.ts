// `tessera audit [--limit N]`: the most recent admin API changes (who, what, when), newest
// first, from the audit_log table. Before/after are in --json.
import type { Command } from 'commander';
import { auditJson } from '../../admin/audit.js';
import { serverOptions, withBackend } from '../backend.js';
import { CliError, printJson, printTable, time } from '../output.js';

type Entry = ReturnType<typeof auditJson>;

export function auditCommand(program: Command): void {
  const audit = program.command('audit')
    .description('list recent changes made through the admin API, newest first')
    .option('-c, --config <file>', 'configuration file')
    .option('--limit <n>', 'how many (1-1000)', '20')
    .option('--json', 'print JSON, with each change\'s before and after')
    .action((o: { limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be a whole number from 1 to 1000 (got ${JSON.stringify(o.limit)})`, 2);
      const print = (entries: Entry[]) => {
        if (o.json) return printJson(entries);
        printTable(
          { seq: 'SEQ', when: 'TIME', actor: 'ACTOR', action: 'ACTION', resource_id: 'ID' },
          entries.map((e) => ({ ...e, when: time(e.at), actor: e.actor_user_id ? `${e.actor_client_id} (user ${e.actor_user_id})` : e.actor_client_id })),
          'no admin changes yet',
        );
      };
      return withBackend(cmd, {
        database: async ({ store }) => print((await store.audit.list(limit)).map(auditJson)),
        // Pages of at most 100, newest first, until `limit`.
        server: async (api) => {
          const entries: Entry[] = [];
          let cursor: string | null = null;
          do {
            const page: { items: Entry[]; next_cursor: string | null } = await api.call('GET', `/admin/audit?limit=${Math.min(100, limit - entries.length)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
            entries.push(...page.items);
            cursor = page.next_cursor;
          } while (cursor && entries.length < limit);
          print(entries);
        },
      });
    });
  serverOptions(audit);
}
