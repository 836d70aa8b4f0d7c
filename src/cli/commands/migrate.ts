// `tessera migrate`: apply pending migrations without starting the server (e.g. as a
// deploy step before rolling out new instances). withStore has already migrated (creating the database if need be).
import type { Command } from 'commander';
import { printJson, withStore } from '../output.js';

export function migrateCommand(program: Command): void {
  program.command('migrate')
    .description('apply pending database migrations')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ applied }) => {
      if (o.json) return printJson({ applied });
      process.stdout.write(applied.length > 0 ? `applied migrations: ${applied.join(', ')}\n` : 'database is up to date\n');
    }, { create: true }));
}
