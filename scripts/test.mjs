#!/usr/bin/env node
// `npm test`: every test/**/*.test.ts under node's test runner (TypeScript through tsx).
// With TESSERA_TEST_DATABASE_URL set (.ci/run sets it), every store-backed test also runs
// against PostgreSQL; without it, against SQLite only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test').sort();
if (!process.env.TESSERA_TEST_DATABASE_URL) {
  console.error('note: TESSERA_TEST_DATABASE_URL is not set; PostgreSQL runs of the suite are skipped');
}
// Type errors fail the suite too.
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.check.json', '--noEmit'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('type check failed');
  process.exit(tsc.status ?? 1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TESSERA_LOG_LEVEL: process.env.TESSERA_LOG_LEVEL ?? 'silent' },
});
process.exit(r.status ?? 1);
