// Admin commands without --server: each names the database it opened (password masked) on
// stderr, and none creates a database silently: `migrate` or `--init` does. On each store.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok, tessera } from '../helpers/cli.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';

let tmp: string;
before(async () => { tmp = await mkdtemp(join(tmpdir(), 'tessera-cli-db-')); });
after(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('cli database', { concurrency: true }, () => {
  for (const kind of BACKENDS) {
    describe(kind, { concurrency: false }, () => {
      let db: TestStore;
      let cfg: string;
      before(async () => {
        db = await makeDatabase(kind);
        cfg = join(tmp, `${kind}.yaml`);
        await writeFile(cfg, `database: ${JSON.stringify(db.url)}\nlog_level: warn\n`);
      });
      after(async () => { await db.cleanup(); });
      const shown = () => db.url.replace(/:[^:@/]+@/, ':***@');

      it('a command on a database that does not exist refuses with one line and exit 2, creating nothing', async () => {
        for (const args of [['client', 'list'], ['user', 'create', '--username', 'ann'], ['keys', 'rotate'], ['audit']]) {
          const r = await tessera([...args, '--config', cfg]);
          assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
          assert.equal(r.stderr, `tessera: database ${shown()} does not exist (or has no Tessera schema): create it with \`tessera migrate\`, or give --init to a create command\n`);
          assert.equal(r.stdout, '');
        }
        if (kind === 'sqlite') assert.equal(existsSync(db.url.slice('sqlite:'.length)), false, 'no file was made');
      });

      it('--init on a create command makes it, and says so; later commands name it', async () => {
        const r = await tessera(['participant', 'create', '--code', 'P-1', '--init', '--config', cfg]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, `tessera: creating database ${shown()}\n`);
        const list = await tessera(['participant', 'list', '--config', cfg]);
        assert.equal(list.stderr, `tessera: database ${shown()}\n`);
        assert.match(list.stdout, /^P-1\s/m);
        assert.match(await ok(['migrate', '--config', cfg]), /database is up to date/);
      });
    });
  }

  it('migrate creates a database that does not exist', async () => {
    const file = join(tmp, 'fresh.yaml');
    const path = join(tmp, 'fresh', 'tessera.db');
    await writeFile(file, `database: ${JSON.stringify(`sqlite:${path}`)}\n`);
    const r = await tessera(['migrate', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `tessera: creating database sqlite:${path}\n`);
    assert.ok(existsSync(path));
  });

  it('the password in a database URL is masked in every message', async () => {
    const file = join(tmp, 'pw.yaml');
    await writeFile(file, 'database: "postgres://tessera:s3cr3t-pw@127.0.0.1:1/tessera"\n');
    const r = await tessera(['client', 'list', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tessera: database postgres:\/\/tessera:\*\*\*@127\.0\.0\.1:1\/tessera: /);
    assert.ok(!r.stderr.includes('s3cr3t-pw'));
  });
});
