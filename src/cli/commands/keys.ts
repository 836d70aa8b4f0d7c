// `tessera keys list|rotate`: the signing keys in the store. Servers reload keys every 60 s
// (runtime.ts), so a rotation here reaches running instances without a restart.
import { Option, type Command } from 'commander';
import pino from 'pino';
import type { Config } from '../../config/schema.js';
import { KeyManager, type SigningKey } from '../../core/keys.js';
import type { Store } from '../../core/store.js';
import { SIGNING_ALGS, type SigningAlg } from '../../core/types.js';
import { createLogger } from '../../ops/logger.js';
import { resolveSecretKey } from '../../runtime.js';
import { printJson, printTable, time, withStore } from '../output.js';

/** As runtime.ts builds it, so load() prunes retired keys by the same retention window. */
async function keyManager(store: Store, config: Config): Promise<{ keys: KeyManager; maxTtl: number }> {
  // resolveSecretKey warns when it has to generate a key file; keep that off stdout.
  const log = createLogger('warn', pino.destination({ dest: 2, sync: true }));
  const secret = resolveSecretKey(config, log);
  const maxTtl = Math.max(config.access_token_ttl, ...(await store.clients.list()).map((c) => c.access_token_ttl ?? 0));
  const keys = new KeyManager(store.keys, secret, () => maxTtl);
  await keys.load();
  return { keys, maxTtl };
}

const keyJson = (k: SigningKey) => ({
  kid: k.kid, alg: k.alg, created_at: k.createdAt, retired_at: k.retiredAt, status: k.retiredAt === null ? 'current' : 'retired',
});

export function keysCommand(program: Command): void {
  const group = program.command('keys').description('manage token signing keys');

  group.command('list')
    .description('list signing keys (all are published in the JWKS)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store, config }) => {
      const { keys } = await keyManager(store, config);
      const all = keys.all().map(keyJson);
      if (o.json) return printJson(all);
      printTable(
        { kid: 'KID', alg: 'ALG', created: 'CREATED', status: 'STATUS', retired: 'RETIRED' },
        all.map((k) => ({ ...k, created: time(k.created_at), retired: time(k.retired_at) })),
        'no signing keys yet (the server creates one when it starts)',
      );
    }));

  group.command('rotate')
    .description('make a new current signing key; the previous one is retired but stays published')
    .option('-c, --config <file>', 'configuration file')
    .addOption(new Option('--alg <alg>', 'algorithm (default: the configured signing_alg)').choices(SIGNING_ALGS))
    .option('--json', 'print JSON')
    .action((o: { alg?: SigningAlg; json?: boolean }, cmd: Command) => withStore(cmd, async ({ store, config }) => {
      const { keys, maxTtl } = await keyManager(store, config);
      const alg = o.alg ?? config.signing_alg;
      const previous = keys.currentSync(alg);
      const k = await keys.rotate(alg);
      if (o.json) return printJson({ ...keyJson(k), previous_kid: previous?.kid ?? null });
      process.stdout.write(
        `new ${alg} signing key: ${k.kid}\n` +
        'Running servers pick it up within 60 s.\n' +
        (previous
          ? `The previous key ${previous.kid} stays in the JWKS until the tokens it signed have expired (${maxTtl} s).\n`
          : `There was no ${alg} key before.\n`),
      );
    }));
}
