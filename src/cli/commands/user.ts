// `tessera user create|list|show|unlock|delete|disable|enable|set-password` (resource owners of the password grant).
// Input goes through validateUser, so the rules are the config file's.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { validateUser } from '../../config/validate.js';
import { hashPassword } from '../../core/password.js';
import { randomToken } from '../../core/secrets.js';
import { deleteUser, saveUser } from '../../core/sessions.js';
import type { User } from '../../core/types.js';
import { userFromConfig } from '../../entities.js';
import { currentLock, unlock } from '../locks.js';
import { CliError, compact, printFields, printJson, printSecretOnce, printTable, time, validated, withStore } from '../output.js';

const FLAGS: Record<string, string> = {
  username: '--username', password: '--password', email: '--email', name: '--name', roles: '--roles',
  participant_code: '--participant',
};

/** The user as the config file spells it; never the password hash (nor the internal id). */
export function userJson(u: User) {
  return compact({
    username: u.username, email: u.email, name: u.name, roles: u.roles, participant_code: u.participant_code,
    disabled: u.disabled, managed_by: u.managed_by,
  });
}

/** One line from stdin, so a password never appears in argv or shell history. */
function readLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => { done = true; rl.close(); resolve(line); });
    rl.once('close', () => { if (!done) reject(new CliError('--password-stdin: stdin ended before a line was read', 2)); });
  });
}

interface PasswordOpts { password?: string; passwordStdin?: boolean }

/** The password to set, and whether we generated it (then it is printed once). */
async function choosePassword(o: PasswordOpts): Promise<{ password: string; generated: boolean }> {
  if (o.password !== undefined && o.passwordStdin) throw new CliError('give --password or --password-stdin, not both', 2);
  const password = o.passwordStdin ? await readLine() : o.password;
  if (password === '') throw new CliError(`${o.passwordStdin ? '--password-stdin' : '--password'}: the password is empty`, 2);
  return password === undefined ? { password: randomToken(18), generated: true } : { password, generated: false };
}

const noUser = (username: string) => new CliError(`no user with username ${JSON.stringify(username)}`);

async function mustGetUser(store: { users: { getByUsername(u: string): Promise<User | null> } }, username: string): Promise<User> {
  const u = await store.users.getByUsername(username);
  if (!u) throw noUser(username);
  return u;
}

const passwordOptions = (c: Command) => c
  .option('--password <password>', 'the password (visible in the process list: prefer --password-stdin)')
  .option('--password-stdin', 'read the password from one line of stdin')
  .option('-c, --config <file>', 'configuration file');

export function userCommand(program: Command): void {
  const group = program.command('user').description('manage users (resource owners for the password grant)');

  passwordOptions(group.command('create'))
    .description('create a user; without --password(-stdin) a generated password is printed once')
    .option('--username <username>', 'username (required)')
    .option('--email <email>', 'email')
    .option('--name <name>', 'display name')
    .option('--roles <list>', 'roles, comma or space separated')
    .option('--participant <code>', 'participant_code of an existing participant')
    .option('--json', 'print JSON')
    .action((o: PasswordOpts & { username?: string; email?: string; name?: string; roles?: string; participant?: string; json?: boolean }, cmd: Command) =>
      withStore(cmd, async ({ store }) => {
        // Check the cheap things before reading stdin or hashing.
        const cfg0 = validated(FLAGS, () => validateUser({
          username: o.username, password: 'unused', email: o.email, name: o.name, roles: o.roles, participant_code: o.participant,
        }, ''));
        if (await store.users.getByUsername(cfg0.username)) throw new CliError(`user ${JSON.stringify(cfg0.username)} already exists`);
        if (cfg0.participant_code !== undefined && !(await store.participants.get(cfg0.participant_code))) {
          throw new CliError(`--participant: no participant with participant_code ${JSON.stringify(cfg0.participant_code)} (create it with \`tessera participant create\`)`);
        }
        const { password, generated } = await choosePassword(o);
        const user = await store.users.upsert(await userFromConfig({ ...cfg0, password }, null));
        if (o.json) printJson({ ...userJson(user), ...(generated ? { password } : {}) });
        else process.stdout.write(`created user ${user.username}\n`);
        if (generated) printSecretOnce('password', password, o.json === true);
      }));

  group.command('list')
    .description('list users')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const users = await store.users.list();
      if (o.json) return printJson(users.map(userJson));
      printTable(
        { username: 'USERNAME', name: 'NAME', email: 'EMAIL', roles: 'ROLES', participant_code: 'PARTICIPANT', disabled: 'DISABLED' },
        users.map((u) => ({ ...u, disabled: u.disabled ? 'yes' : 'no' })), 'no users',
      );
    }));

  group.command('show <username>')
    .description('show one user (never the password hash), with any current lockout')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((username: string, o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const u = await mustGetUser(store, username);
      const lock = currentLock(u.locked_until);
      if (o.json) printJson(compact({ ...userJson(u), locked_until: lock }));
      else printFields({ ...userJson(u), locked_until: time(lock), created: time(u.created_at), updated: time(u.updated_at) });
    }));

  group.command('unlock <username>')
    .description('lift a lockout of the user (failed passwords); running servers see it at the next attempt')
    .option('-c, --config <file>', 'configuration file')
    .action((username: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store, config }) => {
      if (!(await unlock(store, config, 'user', username))) throw noUser(username);
      process.stdout.write(`unlocked user ${username}\n`);
    }));

  group.command('delete <username>')
    .description('delete a user')
    .option('-c, --config <file>', 'configuration file')
    .action((username: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store }) => {
      const u = await store.users.getByUsername(username);
      // Its sessions end with it: refresh tokens and the access tokens issued from them.
      const n = u ? await deleteUser(store, u, Math.floor(Date.now() / 1000)) : null;
      if (n === null) throw noUser(username);
      process.stdout.write(`deleted user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n`);
    }));

  for (const disabled of [true, false]) {
    group.command(`${disabled ? 'disable' : 'enable'} <username>`)
      .description(disabled
        ? 'disable a user: the password grant refuses it and its sessions are revoked'
        : 'enable a disabled user; sessions revoked when it was disabled stay revoked')
      .option('-c, --config <file>', 'configuration file')
      .action((username: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store }) => {
        const u = await mustGetUser(store, username);
        const now = Math.floor(Date.now() / 1000);
        const { revoked: n } = await saveUser(store, { ...u, disabled, updated_at: now }, u, now);
        process.stdout.write(disabled ? `disabled user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n` : `enabled user ${username}\n`);
      }));
  }

  passwordOptions(group.command('set-password <username>'))
    .description('set a user\'s password; without --password(-stdin) a generated one is printed once')
    .action((username: string, o: PasswordOpts, cmd: Command) => withStore(cmd, async ({ store }) => {
      const u = await mustGetUser(store, username);
      const { password, generated } = await choosePassword(o);
      const now = Math.floor(Date.now() / 1000);
      // A new password ends the sessions made with the old one (e.g. an attacker's).
      const { revoked: n } = await saveUser(store, { ...u, password_hash: await hashPassword(password), updated_at: now }, u, now);
      process.stdout.write(`set the password of user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n`);
      if (generated) printSecretOnce('password', password, false);
    }));
}
