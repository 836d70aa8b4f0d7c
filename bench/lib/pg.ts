// A temporary PostgreSQL database `tessera_bench_<hex>` for one benchmark run, created on
// the server at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped
// afterwards. Returns a note instead when PostgreSQL is not reachable or BENCH_PG=0.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (s: string) => process.stderr.write(`${s}\n`);

export async function withPostgres<T>(fn: (url: string) => Promise<T>): Promise<T | string> {
  if (process.env.BENCH_PG === '0') return 'PostgreSQL skipped (BENCH_PG=0)';
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    return `PostgreSQL not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message}); PostgreSQL scenario skipped`;
  }
  const name = `tessera_bench_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    return await fn(u.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e: unknown) => log(`could not drop ${name}: ${(e as Error).message}`));
    await admin.end();
  }
}

