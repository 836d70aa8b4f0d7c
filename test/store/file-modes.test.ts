// What Tessera creates on disk is private to its user: the data folder and the SQLite
// database's folder 0700; secret.key, the database and its -wal and -shm files 0600.
// SQLite only: a PostgreSQL store creates no files here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('file modes (sqlite)', () => {
  it('a fresh installation creates its folders 0700 and its files 0600, whatever the umask allows', async () => {
    const previous = process.umask(0o022);
    const root = mkdtempSync(join(tmpdir(), 'tessera-modes-'));
    const dataDir = join(root, 'data');
    const dbFile = join(root, 'db', 'nested', 'tessera.db');
    try {
      const srv = await startTestServer('sqlite', { secret_key: undefined, data_dir: dataDir, database: `sqlite:${dbFile}` });
      try {
        assert.equal((await fetch(`${srv.url}/.well-known/jwks.json`)).status, 200);
        assert.equal(mode(dataDir), '700');
        assert.equal(mode(join(dataDir, 'secret.key')), '600');
        assert.equal(mode(join(root, 'db')), '700');
        assert.equal(mode(join(root, 'db', 'nested')), '700');
        for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) assert.equal(mode(f), '600', f);
      } finally {
        await srv.close();
      }
    } finally {
      process.umask(previous);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
