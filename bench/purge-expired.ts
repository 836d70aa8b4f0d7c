// Runs the store's own purge of expired tokens once, in the batches a Tessera instance
// purges in every minute (ops/purge.ts), and prints {"rows": N, "ms": T}. The purge scenario starts it in its
// own process, against the database a loaded Tessera is serving, to see what it costs them.
//
//   node --import tsx bench/purge-expired.ts --db URL
import { parseArgs } from 'node:util';
import { PURGE_SETTINGS, purgeAll } from '../src/ops/purge.js';
import { openStore } from '../src/store/index.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (!values.db) {
  process.stderr.write('usage: node --import tsx bench/purge-expired.ts --db URL\n');
  process.exit(2);
}
const store = await openStore(values.db);
try {
  const started = performance.now();
  const rows = (await purgeAll({ tokens: store.tokens }, Math.floor(Date.now() / 1000), PURGE_SETTINGS[store.kind])).tokens;
  process.stdout.write(`${JSON.stringify({ rows, ms: Math.round(performance.now() - started) })}\n`);
} finally {
  await store.close();
}
