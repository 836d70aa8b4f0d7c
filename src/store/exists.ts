// Whether a database already holds Tessera's schema, asked before opening it: opening a
// SQLite path creates the file, and migrating an empty PostgreSQL database fills it, so a
// mistyped URL would otherwise give an operator a fresh, empty database without a word.
import { existsSync } from 'node:fs';

/** false: nothing there yet (no SQLite file; no schema_migrations table in PostgreSQL). */
export async function databaseExists(database: string): Promise<boolean> {
  if (database.startsWith('sqlite:')) {
    const path = database.slice('sqlite:'.length) || './data/tessera.db';
    return path === ':memory:' || existsSync(path);
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: database, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const r = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
    return r.rows[0]?.t != null;
  } finally {
    await client.end();
  }
}
