// `tessera keys list|rotate`: the signing keys in the store. A rotated-in key is published
// at once (servers reload keys every 60 s) and signs from its stored activation time, the
// same for every instance (core/key-schedule.ts).
import { Option, type Command } from 'commander';
import pino from 'pino';
import type { Config } from '../../config/schema.js';
import { CLOCK_SKEW_SECONDS } from '../../core/key-schedule.js';
import { KeyManager, type SigningKey } from '../../core/keys.js';
import type { Store } from '../../core/store.js';
import { SIGNING_ALGS, type SigningAlg } from '../../core/types.js';
import { createLogger } from '../../ops/logger.js';
import { maxAccessTtl, resolveSecretKey } from '../../runtime.js';
import { serverOptions, withBackend } from '../backend.js';
import { printJson, printTable, time } from '../output.js';

/** As runtime.ts builds it, so load() prunes retired keys by the same retention window. */
async function keyManager(store: Store, config: Config): Promise<{ keys: KeyManager; maxTtl: number }> {
  // resolveSecretKey warns when it has to generate a key file; keep that off stdout.
  const log = createLogger('warn', pino.destination({ dest: 2, sync: true }));
  const secret = resolveSecretKey(config, log);
  const maxTtl = await maxAccessTtl(store, config);
  const keys = new KeyManager(store.keys, secret, () => maxTtl, { publishAhead: config.key_publish_ahead });
  await keys.load();
  return { keys, maxTtl };
}

type KeyJson = ReturnType<typeof keyJson>;

/** current: signs now; next: published, signs from activates_at; retired: published until its tokens expire. */
const keyJson = (keys: KeyManager, k: SigningKey) => ({
  kid: k.kid, alg: k.alg, created_at: k.createdAt, activates_at: k.activatesAt, retired_at: k.retiredAt,
  status: keys.currentSync(k.alg) === k ? 'current' : k.activatesAt > Math.floor(Date.now() / 1000) ? 'next' : 'retired',
});

export function keysCommand(program: Command): void {
  const group = program.command('keys').description('manage token signing keys');

  group.command('list')
    .description('list signing keys (all are published in the JWKS)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const print = (all: KeyJson[]) => {
        if (o.json) return printJson(all);
        printTable(
          { kid: 'KID', alg: 'ALG', created: 'CREATED', status: 'STATUS', activates: 'SIGNS FROM', retired: 'RETIRED' },
          all.map((k) => ({ ...k, created: time(k.created_at), activates: time(k.activates_at), retired: time(k.retired_at) })),
          'no signing keys yet (the server creates one when it starts)',
        );
      };
      return withBackend(cmd, {
        database: async ({ store, config }) => {
          const { keys } = await keyManager(store, config);
          print(keys.all().map((k) => keyJson(keys, k)));
        },
        server: async (api) => print((await api.call<{ items: KeyJson[] }>('GET', '/admin/keys')).items),
      });
    });

  group.command('rotate')
    .description('add a signing key: published now, it signs from key_publish_ahead seconds on; the previous one stays published until its tokens expire')
    .option('-c, --config <file>', 'configuration file')
    .option('--init', 'create the database first if it does not exist (as `tessera migrate`)')
    .addOption(new Option('--alg <alg>', 'algorithm (default: the configured signing_alg)').choices(SIGNING_ALGS))
    .option('--json', 'print JSON')
    .action((o: { alg?: SigningAlg; json?: boolean }, cmd: Command) => withBackend(cmd, {
      database: async ({ store, config }) => {
        const { keys, maxTtl } = await keyManager(store, config);
        const alg = o.alg ?? config.signing_alg;
        const previous = keys.currentSync(alg);
        const k = await keys.rotate(alg);
        if (o.json) return printJson({ ...keyJson(keys, k), previous_kid: previous?.kid ?? null });
        process.stdout.write(
          `new ${alg} signing key: ${k.kid}\n` +
          (previous
            ? `It is published in the JWKS now and every instance signs with it from ${time(k.activatesAt)}.\n` +
              `The previous key ${previous.kid} signs until then and stays in the JWKS until the tokens it signed have expired (${time(k.activatesAt + maxTtl + CLOCK_SKEW_SECONDS)}).\n`
            : `There was no ${alg} key before: it signs at once.\n`),
        );
      },
      // The server's key manager and its retention; the answer is the new key.
      server: async (api) => {
        const k = await api.call<KeyJson>('POST', '/admin/keys/rotate', o.alg ? { alg: o.alg } : {});
        if (o.json) return printJson(k);
        process.stdout.write(`new ${k.alg} signing key: ${k.kid}\nIt is published in the JWKS now and signs from ${time(k.activates_at)}.\n`);
      },
    }));
  serverOptions(group);
}
