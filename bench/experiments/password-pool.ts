// Experiment behind the password-hashing pool (docs/design.md, docs/performance.md): does a
// flood of wrong passwords slow client_credentials down? Starts Tessera (compiled, as
// bench/run.ts does), measures client_credentials ES256 unloaded, then again while 64
// connections send wrong passwords to the password grant, and prints both p99s.
//
//   node --import tsx bench/experiments/password-pool.ts
//
// Environment: EXP_CONNECTIONS (client_credentials connections, default 50), EXP_DURATION
// (s per measurement, default 10), EXP_ATTACKERS (wrong-password connections, default 64),
// EXP_CONFIG (JSON merged into the config, e.g. '{"password_hashing":{"concurrency":2}}').
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { basic, form, FORM, runLoad } from '../lib/load.js';
import { freePort, startTessera } from '../lib/proc.js';
import { clientCredentials, SCOPE, SECRET, USER, writeTesseraConfig } from '../lib/tessera.js';

const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
const CONN = num(process.env.EXP_CONNECTIONS, 50);
const DURATION = num(process.env.EXP_DURATION, 10);
const ATTACKERS = num(process.env.EXP_ATTACKERS, 64);
const extra = process.env.EXP_CONFIG ? (JSON.parse(process.env.EXP_CONFIG) as Record<string, unknown>) : {};

const dir = mkdtempSync(join(tmpdir(), 'tessera-pool-exp-'));
const port = await freePort();
const config = writeTesseraConfig(dir, port, `sqlite:${join(dir, 'tessera.db')}`, extra);
const server = await startTessera('tessera', config, port);
const cc = clientCredentials('cc-es256', CONN);
try {
  process.stderr.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; config ${JSON.stringify(extra)}\n`);
  const unloaded = await runLoad(server.url, cc, DURATION, 2);

  // Wrong passwords for the real user, every connection keeping one request in flight.
  const statuses = new Map<number, number>();
  const attack = autocannon({
    url: server.url, connections: ATTACKERS, duration: DURATION + 3, timeout: 30,
    requests: [{
      method: 'POST', path: '/oauth2/token',
      headers: { 'content-type': FORM, authorization: basic('rt-client', SECRET) },
      body: form({ grant_type: 'password', username: USER.username, password: 'wrong-password', scope: SCOPE }),
      onResponse: (status: number) => { statuses.set(status, (statuses.get(status) ?? 0) + 1); },
    }],
  });
  const loaded = await runLoad(server.url, cc, DURATION, 2);
  const a = await attack;

  const row = (name: string, r: typeof unloaded) =>
    `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)}/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  errors ${r.errors}`;
  console.log(row(`cc ES256, ${CONN} conn, unloaded`, unloaded));
  console.log(row(`cc ES256, ${CONN} conn, + ${ATTACKERS} wrong pw`, loaded));
  console.log(`p99 loaded/unloaded: ${(loaded.p99 / unloaded.p99).toFixed(2)}x`);
  console.log(`wrong-password answers: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')} (${(a.requests.total / a.duration).toFixed(0)}/s, p99 ${a.latency.p99} ms)`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
