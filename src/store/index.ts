// Opens the configured store: `sqlite:PATH` (embedded default) or a `postgres://` URL.
import type { Store } from '../core/store.js';
import { openSqlite } from './sqlite.js';

export async function openStore(database: string): Promise<Store> {
  if (database.startsWith('sqlite:')) return openSqlite(database.slice('sqlite:'.length) || './data/tessera.db');
  if (/^postgres(ql)?:\/\//.test(database)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(database);
  }
  throw new Error(`unsupported database URL (use sqlite:PATH or postgres://…)`);
}
