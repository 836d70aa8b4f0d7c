// EXPLAIN of the token statements on both stores: which index each uses (issue: findRefresh,
// consume, revokeFamily, findAccess and the purge must not scan). Usage:
//   node --import tsx bench/experiments/explain.ts [postgres://…/a-migrated-database]
import { openStore } from '../../src/store/index.js';
import { TOKEN_SQL, SQLITE, POSTGRES, purgeSteps, forgetSuccessorsStep, deleteClientSteps } from '../../src/store/sql.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/expl-');
const s = await openStore(`sqlite:${dir}/x.db`); await s.migrate(); await s.close();
const db = new Database(`${dir}/x.db`);
const consume = 'UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, successor_enc = ?, successor_until = ? WHERE hash = ? AND used_at IS NULL AND NOT EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NOT NULL)';
const queries: [string, string, unknown[]][] = [
  ['findRefresh', TOKEN_SQL.findRefresh, ['x']], ['findAccess', TOKEN_SQL.findAccess, ['x']], ['consume', consume, [1, 'a', 'b', 1, 'h']],
  ['revokeFamily', TOKEN_SQL.revokeFamily, [1, 'f']], ['revokeUserFamilies', TOKEN_SQL.revokeUserFamilies, [1, 'u']],
  ['revokeClientFamilies', TOKEN_SQL.revokeClientFamilies, [1, 'c']], ['revokeClientAccess', TOKEN_SQL.revokeClientAccess, [1, 'c']],
  ...purgeSteps(SQLITE, 1, 1000).map((st, i) => [`purge${i}`, st.sql, typeof st.params === 'function' ? st.params([[{ family_id: 'f' }]]) : st.params] as [string, string, unknown[]]),
  ['forgetSuccessors', forgetSuccessorsStep(SQLITE, 1, 10).sql, [1, 10]],
  ...deleteClientSteps('c').map((st, i) => [`deleteClient${i}`, st.sql, st.params] as [string, string, unknown[]]),
];
console.log('== SQLite');
for (const [n, q, p] of queries) console.log(n, '::', (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...p) as {detail: string}[]).map((r) => r.detail).join(' | '));
const url = process.argv[2];
if (url) {
  const c = new pg.Client({ connectionString: url }); await c.connect();
  const pgq: [string, string][] = [
    ['findRefresh', TOKEN_SQL.findRefresh], ['findAccess', TOKEN_SQL.findAccess], ['consume', consume],
    ['revokeFamily', TOKEN_SQL.revokeFamily], ['revokeUserFamilies', TOKEN_SQL.revokeUserFamilies], ['revokeClientFamilies', TOKEN_SQL.revokeClientFamilies], ['revokeClientAccess', TOKEN_SQL.revokeClientAccess],
    ...purgeSteps(POSTGRES, 1, 1000).map((st, i) => [`purge${i}`, st.sql] as [string, string]),
    ['forgetSuccessors', forgetSuccessorsStep(POSTGRES, 1, 10).sql],
    ...deleteClientSteps('c').map((st, i) => [`deleteClient${i}`, st.sql] as [string, string]),
  ];
  await c.query('SET enable_seqscan = off'); // tiny tables: ask which index it CAN use
  await c.query('SET plan_cache_mode = force_generic_plan'); // the plan for any parameter value
  console.log('== PostgreSQL (enable_seqscan off: shows the index chosen)');
  for (const [n, q] of pgq) {
    let i = 0; const text = q.replace(/\?/g, () => `$${++i}`);
    await c.query(`PREPARE p_${n} AS ${text}`);
    const args = Array.from({ length: i }, () => 'NULL').join(', ');
    const r = await c.query(`EXPLAIN EXECUTE p_${n}${i ? `(${args})` : ''}`);
    console.log(n, '::', r.rows.map((x: any) => x['QUERY PLAN'].trim()).filter((l: string) => /Scan|Index|Tid/.test(l)).join(' | '));
  }
  await c.end();
}
