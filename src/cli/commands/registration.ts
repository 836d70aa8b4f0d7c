// `tessera registration token create|list|revoke`: initial access tokens (RFC 7591 §3), the
// operator's permission for one app (or a few) to register itself at POST /oauth2/register.
// A token is printed once and stored only as its SHA-256 hash, with an expiry and a use count.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { hashToken, randomToken } from '../../core/secrets.js';
import type { RegistrationToken } from '../../core/store.js';
import { CliError, printJson, printSecretOnce, printTable, time, withStore } from '../output.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `15m`, `12h`, `7d` → seconds (1 s to 365 days). */
export function parseDuration(v: string, flag: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  const n = m ? Number(m[1]) * UNITS[m[2] || 's']! : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 365 * 86_400) throw new CliError(`${flag}: must be a duration such as 3600, 30m, 12h or 7d (at most 365d)`, 2);
  return n;
}

const tokenJson = (t: RegistrationToken) => ({
  id: t.id, created_at: t.created_at, expires_at: t.expires_at, max_uses: t.max_uses, uses: t.uses,
});

export function registrationCommand(program: Command): void {
  const group = program.command('registration').description('dynamic client registration (RFC 7591): initial access tokens');
  const tokens = group.command('token').description('initial access tokens: who may register a client');

  tokens.command('create')
    .description('create an initial access token; it is printed once (only its hash is stored)')
    .option('-c, --config <file>', 'configuration file')
    .option('--init', 'create the database first if it does not exist (as `tessera migrate`)')
    .option('--ttl <duration>', 'how long it works: seconds or 30m, 12h, 7d', '1d')
    .option('--uses <n>', 'registrations it allows (default: one)', '1')
    .option('--unlimited', 'any number of registrations until it expires')
    .option('--json', 'print JSON')
    .action((o: { ttl: string; uses: string; unlimited?: boolean; json?: boolean }, cmd: Command) => withStore(cmd, async ({ store, config }) => {
      const ttl = parseDuration(o.ttl, '--ttl');
      if (!/^\d+$/.test(o.uses) || Number(o.uses) < 1 || Number(o.uses) > 1_000_000) throw new CliError('--uses: must be a whole number from 1 to 1000000', 2);
      const now = Math.floor(Date.now() / 1000);
      const token = randomToken(32);
      const t = { id: randomUUID().slice(0, 8), hash: hashToken(token), created_at: now, expires_at: now + ttl, max_uses: o.unlimited ? null : Number(o.uses) };
      await store.registrationTokens.insert(t);
      if (config.registration === false) {
        process.stderr.write('note: registration is off in the configuration (registration: false); the token works once it is enabled\n');
      }
      if (o.json) printJson({ ...tokenJson({ ...t, uses: 0 }), initial_access_token: token });
      else process.stdout.write(`created initial access token ${t.id} (expires ${time(t.expires_at)}, ${t.max_uses === null ? 'unlimited uses' : `${t.max_uses} use${t.max_uses === 1 ? '' : 's'}`})\n`);
      printSecretOnce('initial_access_token', token, o.json === true);
    }));

  tokens.command('list')
    .description('list initial access tokens (never the tokens themselves)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const list = await store.registrationTokens.list();
      if (o.json) return printJson(list.map(tokenJson));
      const now = Math.floor(Date.now() / 1000);
      printTable(
        { id: 'ID', expires: 'EXPIRES', uses: 'USES', state: 'STATE' },
        list.map((t) => ({
          id: t.id, expires: time(t.expires_at), uses: `${t.uses}/${t.max_uses ?? '∞'}`,
          state: t.expires_at <= now ? 'expired' : t.max_uses !== null && t.uses >= t.max_uses ? 'used up' : 'active',
        })),
        'no initial access tokens',
      );
    }));

  tokens.command('revoke <id>')
    .description('revoke an initial access token (clients registered with it stay)')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store }) => {
      if (!(await store.registrationTokens.delete(id))) throw new CliError(`no initial access token with id ${JSON.stringify(id)}`);
      process.stdout.write(`revoked initial access token ${id}\n`);
    }));
}
