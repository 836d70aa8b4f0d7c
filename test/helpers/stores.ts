// Backends the store-dependent tests run against: SQLite always, PostgreSQL when
// TESSERA_TEST_DATABASE_URL is set. Usage:
//   for (const kind of BACKENDS) describe(kind, () => { let db: TestStore; before(async () => { db = await makeDatabase(kind); }); … });
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { createTestDatabase, pgUrl } from './pg.js';

export type Backend = 'sqlite' | 'postgres';

export const BACKENDS: Backend[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStore {
  name: Backend;
  /** What openStore() / the `database` config key takes: `sqlite:/tmp/…/tessera.db` or a postgres URL. */
  url: string;
  /** Removes the database; close any Store opened on it first. */
  cleanup(): Promise<void>;
}

/** A fresh, empty (unmigrated) database of the given kind. */
export async function makeDatabase(kind: Backend): Promise<TestStore> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    return { name: kind, url: db.url, cleanup: () => db.drop() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tessera-test-'));
  return {
    name: kind,
    url: `sqlite:${join(dir, 'tessera.db')}`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One fresh database per available backend. */
export async function testDatabases(): Promise<TestStore[]> {
  return Promise.all(BACKENDS.map(makeDatabase));
}

/**
 * For a contract suite: a fresh migrated store of `kind` for each test case (beforeEach /
 * afterEach), so no case depends on another's rows. Call inside `describe`; read the store
 * through the returned function.
 */
export function freshStoreEachTest(kind: Backend): () => import('../../src/core/store.js').Store {
  let db: TestStore;
  let store: import('../../src/core/store.js').Store;
  beforeEach(async () => {
    db = await makeDatabase(kind);
    store = await (await import('../../src/store/index.js')).openStore(db.url);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await db.cleanup();
  });
  return () => store;
}

/** Opens the database at `url`, runs `fn` on it, and closes it (checks of what a CLI run wrote). */
export async function inStoreAt<T>(url: string, fn: (s: import('../../src/core/store.js').Store) => Promise<T>): Promise<T> {
  const s = await (await import('../../src/store/index.js')).openStore(url);
  try { return await fn(s); } finally { await s.close(); }
}
