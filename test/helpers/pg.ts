// Throwaway PostgreSQL databases for tests: one fresh database per suite, so suites can run
// in parallel against one server and never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server for PG tests, e.g. postgres://postgres@127.0.0.1:5432/test; unset = skip PG. */
export const pgUrl: string | undefined = process.env.TESSERA_TEST_DATABASE_URL || undefined;

/** Runs one statement on the server's maintenance database (the one named in pgUrl). */
async function admin(sql: string): Promise<void> {
  if (!pgUrl) throw new Error('TESSERA_TEST_DATABASE_URL is not set');
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!pgUrl) throw new Error('TESSERA_TEST_DATABASE_URL is not set');
  // Hex only, so the name needs no quoting.
  const name = `tessera_t_${randomBytes(8).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE (PG 13+) ends connections a test left open, so a failed test cannot block cleanup.
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
