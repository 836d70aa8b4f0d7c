// The secret key as the operator meets it at start: a key file that is empty or too short,
// and a key that is not the one the database's signing keys were encrypted with. Each is
// one line on stderr and exit code 2, never a stack trace or a server running on a bad key.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';

interface Run { code: number | null; stderr: string }

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
const KEY_A = 'secret-key-a-0123456789abcdefghijklmnop';
const KEY_B = 'secret-key-b-0123456789abcdefghijklmnop';

/** Runs the CLI; a server that does start is killed after 15 s (and the test then fails). */
function tessera(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...baseEnv, ...env }, timeout: 15_000 },
      (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr: String(stderr) }));
  });
}

function assertOneLine(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  // Admin commands first name the database they opened (one line of its own).
  const lines = r.stderr.trim().split('\n').filter((l) => !/^tessera: database /.test(l));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.match(r.stderr, pattern);
}

for (const kind of BACKENDS) {
  describe(`secret key at start (${kind})`, () => {
    let db: TestStore;
    let dir: string;
    let cfg: string;
    before(async () => {
      db = await makeDatabase(kind);
      dir = await mkdtemp(join(tmpdir(), 'tessera-secret-'));
      cfg = join(dir, 'tessera.yaml');
      await writeFile(cfg, JSON.stringify({ database: db.url, data_dir: join(dir, 'data'), log_level: 'warn' }));
    });
    after(async () => {
      await db.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('an empty or short data_dir/secret.key is refused like a short TESSERA_SECRET_KEY', async () => {
      await rm(join(dir, 'data'), { recursive: true, force: true });
      await mkdir(join(dir, 'data'), { recursive: true });
      for (const content of ['', '\n', 'too-short-key\n']) {
        await writeFile(join(dir, 'data', 'secret.key'), content);
        assertOneLine(await tessera(['serve', '--config', cfg, '--port', '0']), /secret\.key is (empty|shorter than 32 characters)/);
      }
      assertOneLine(await tessera(['serve', '--config', cfg, '--port', '0'], { TESSERA_SECRET_KEY: 'short' }), /secret_key: must be at least 32 characters/);
    });

    it('a secret key that does not match the stored signing keys exits 2 with one line', async () => {
      // The first rotate creates the database's first signing key, encrypted under KEY_A.
      const made = await tessera(['keys', 'rotate', '--init', '--config', cfg], { TESSERA_SECRET_KEY: KEY_A });
      assert.equal(made.code, 0, made.stderr);
      for (const args of [['serve', '--config', cfg, '--port', '0'], ['keys', 'list', '--config', cfg]]) {
        assertOneLine(await tessera(args, { TESSERA_SECRET_KEY: KEY_B }), /secret_key does not match this database/);
      }
      const ok = await tessera(['keys', 'list', '--config', cfg], { TESSERA_SECRET_KEY: KEY_A });
      assert.equal(ok.code, 0, ok.stderr);
    });
  });
}
