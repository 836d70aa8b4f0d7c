// Refresh latency while the purge runs: the store work of one refresh (findRefresh, then the
// rotation write) from CONCURRENCY loops, first alone (baseline), then while ops/purge.ts
// removes ROWS expired rows in batches, then while the same rows go in ONE batch (the old
// single-transaction purge), on SQLite and (if reachable) PostgreSQL. Usage:
//   node --import tsx bench/experiments/purge.ts        (ROWS=200000 CONCURRENCY=8 INTERVAL_MS=20 BASELINE_MS=4000)
// Latency counts from when a refresh was due, not when it started, so time the event loop
// or a lock held a refresh back is counted (no coordinated omission).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/core/store.js';
import { purgeAll, PURGE_SETTINGS } from '../../src/ops/purge.js';
import { openStore } from '../../src/store/index.js';
import { withPostgres } from '../lib/pg.js';

const ROWS = Number(process.env.ROWS ?? 200_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const BASELINE_MS = Number(process.env.BASELINE_MS ?? 4000);
/** Each chain starts a refresh every INTERVAL_MS (an open loop: a stall shows as latency). */
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 20);
const now = () => Math.floor(Date.now() / 1000);

/** ROWS/2 expired refresh and ROWS/2 expired access tokens, 4 of each per family. */
async function seed(url: string, tag: string): Promise<void> {
  const half = ROWS / 2;
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice(7));
    const f = db.prepare("INSERT INTO token_families (id, client_id, user_id, created_at) VALUES (?, 'bench', NULL, 1)");
    const r = db.prepare("INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scope, resource, expires_at, created_at) VALUES (?, ?, 'bench', NULL, 'read', NULL, 100, 1)");
    const a = db.prepare("INSERT INTO access_tokens (id, format, family_id, client_id, user_id, scope, claims, expires_at, created_at) VALUES (?, 'opaque', ?, 'bench', NULL, 'read', '{}', 100, 1)");
    db.transaction(() => {
      for (let i = 0; i < half; i++) {
        if (i % 4 === 0) f.run(`${tag}-f${i / 4}`);
        r.run(`${tag}-r${i}`, `${tag}-f${Math.floor(i / 4)}`);
        a.run(`${tag}-a${i}`, `${tag}-f${Math.floor(i / 4)}`);
      }
    })();
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`INSERT INTO token_families (id, client_id, user_id, created_at) SELECT '${tag}-f' || i, 'bench', NULL, 1 FROM generate_series(0, ${half / 4 - 1}) i`);
  await c.query(`INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scope, resource, expires_at, created_at) SELECT '${tag}-r' || i, '${tag}-f' || (i / 4), 'bench', NULL, 'read', NULL, 100, 1 FROM generate_series(0, ${half - 1}) i`);
  await c.query(`INSERT INTO access_tokens (id, format, family_id, client_id, user_id, scope, claims, expires_at, created_at) SELECT '${tag}-a' || i, 'opaque', '${tag}-f' || (i / 4), 'bench', NULL, 'read', '{}', 100, 1 FROM generate_series(0, ${half - 1}) i`);
  await c.query('ANALYZE');
  await c.end();
}

/** CONCURRENCY rotation chains, one refresh due every INTERVAL_MS each, until `until()`; latencies in ms. */
async function refreshLoad(store: Store, until: () => boolean, tag: string): Promise<number[]> {
  const lat: number[] = [];
  let n = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, chain) => {
    const fam = `${tag}-live-${chain}`;
    let cur = `${fam}-0`;
    const t = now();
    await store.tokens.persistIssue({ family: { id: fam, client_id: 'bench', user_id: null, created_at: t },
      refresh: { hash: cur, family_id: fam, client_id: 'bench', user_id: null, scope: 'read', resource: null, expires_at: t + 3600, created_at: t } }, t);
    let due = performance.now();
    while (!until()) {
      const next = `${fam}-${++n}`;
      const t0 = due;
      due += INTERVAL_MS;
      const wait = t0 - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const rt = await store.tokens.findRefresh(cur);
      const ok = await store.tokens.persistIssue({
        consume: { kind: 'refresh_token', hash: cur, successor: { hash: next, enc: null, until: null } },
        refresh: { hash: next, family_id: fam, client_id: 'bench', user_id: null, scope: rt!.scope, resource: null, expires_at: now() + 3600, created_at: now() },
        access: { id: `${next}-a`, format: 'opaque', family_id: fam, client_id: 'bench', user_id: null, scope: 'read', claims: '{}', expires_at: now() + 3600, created_at: now() },
      }, now());
      if (!ok) throw new Error('rotation lost');
      lat.push(performance.now() - t0);
      cur = next;
    }
  }));
  return lat;
}

const pct = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN; };
const fmt = (a: number[]) => `n=${a.length} p50=${pct(a, 0.5).toFixed(2)} p99=${pct(a, 0.99).toFixed(2)} max=${Math.max(...a).toFixed(1)} ms`;

async function measure(url: string, name: string): Promise<string[]> {
  const store = await openStore(url);
  await store.migrate();
  const out: string[] = [];
  try {
    const stopAt = (ms: number) => { const end = Date.now() + ms; return () => Date.now() > end; };
    const base = await refreshLoad(store, stopAt(BASELINE_MS), 'b');
    out.push(`${name} baseline: ${fmt(base)}`);
    const { batch: b, pauseMs: p } = PURGE_SETTINGS[store.kind];
    for (const [label, batch, pauseMs] of [[`batched (${b} rows, ${p} ms pause)`, b, p], ['one transaction (old)', 1e9, 0]] as const) {
      await seed(url, label.slice(0, 3));
      let done = false;
      const t0 = performance.now();
      const [lat, purged] = await Promise.all([
        refreshLoad(store, () => done, label.slice(0, 2)),
        (async () => {
          await new Promise((res) => setTimeout(res, 300));
          try { return await purgeAll({ tokens: store.tokens }, now(), { batch, pauseMs }); } finally { done = true; }
        })(),
      ]);
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      out.push(`${name} during purge, ${label}: ${fmt(lat)}; purged ${purged.tokens} tokens in ${purged.batches} batches, ${secs} s (p99 ${(pct(lat, 0.99) / pct(base, 0.99)).toFixed(2)}x baseline)`);
    }
  } finally {
    await store.close();
  }
  return out;
}

const lines: string[] = [`ROWS=${ROWS} CONCURRENCY=${CONCURRENCY}`];
const dir = mkdtempSync(join(tmpdir(), 'tessera-purge-'));
try { lines.push(...(await measure(`sqlite:${join(dir, 'p.db')}`, 'SQLite'))); } finally { rmSync(dir, { recursive: true, force: true }); }
const pgResult = await withPostgres((url) => measure(url, 'PostgreSQL'));
if (typeof pgResult === 'string') lines.push(pgResult); else lines.push(...pgResult);
process.stdout.write(`${lines.join('\n')}\n`);
