// Where an admin command acts: on the configured database (withStore), or with --server on
// the admin API of a running instance. Each command gives one implementation per backend
// and shares its printing; this is the one place that chooses between them.
import type { Command } from 'commander';
import { AdminApi, adminApiOptions, type AdminApiOpts } from './remote/admin-api.js';
import { CliError, reported, withStore, type Context } from './output.js';

export interface Backends {
  database(ctx: Context): Promise<void>;
  server(api: AdminApi, ctx: { opts: AdminApiOpts }): Promise<void>;
}

export function withBackend(cmd: Command, b: Backends): Promise<void> {
  const o = cmd.opts<AdminApiOpts & { init?: boolean }>();
  if (o.server === undefined) return withStore(cmd, b.database);
  return reported(async () => {
    if (o.init) throw new CliError('--init is for the database; a server has its own', 2);
    await b.server(await AdminApi.connect(o, cmd), { opts: o });
  });
}

/** Adds the --server options to every subcommand of `group` (and `group` itself when it acts). */
export function serverOptions(group: Command): void {
  for (const sub of group.commands.length ? group.commands : [group]) adminApiOptions(sub);
}
