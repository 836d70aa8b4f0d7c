// `tessera user create|list|show|unlock|delete|disable|enable|set-password` (resource owners of the password grant).
// Input goes through validateUser, so the rules are the config file's.
import type { Command } from 'commander';
import { validateUser } from '../../config/validate.js';
import { passwordProblem, type CredentialPolicy } from '../../core/credential-policy.js';
import { hashPassword } from '../../core/password.js';
import { randomToken } from '../../core/secrets.js';
import { deleteUser, saveUser } from '../../core/sessions.js';
import type { User } from '../../core/types.js';
import { userFromConfig } from '../../entities.js';
import { currentLock, unlock } from '../locks.js';
import { serverOptions, withBackend } from '../backend.js';
import { commandConfig } from '../options.js';
import { CliError, compact, printFields, printJson, printSecretOnce, printTable, time, validated } from '../output.js';
import { seg, type AdminApi } from '../remote/admin-api.js';
import { stdinLine } from '../remote/stdin.js';

/** The admin API addresses users by id: the one whose username is exactly this. */
async function remoteUser(api: AdminApi, username: string): Promise<User> {
  const found = (await api.all<User>(`/admin/users?q=${seg(username)}`)).find((u) => u.username === username);
  if (!found) throw noUser(username);
  return found;
}
const userPath = async (api: AdminApi, username: string, rest = '') => `/admin/users/${seg((await remoteUser(api, username)).id)}${rest}`;

/** The OIDC Core §5.1 claims a user has (served by /userinfo by scope), and their options. */
const CLAIM_FLAGS = {
  email: '--email', email_verified: '--email-verified', name: '--name', given_name: '--given-name',
  family_name: '--family-name', picture: '--picture', locale: '--locale',
} as const;
type ClaimKey = keyof typeof CLAIM_FLAGS;
const CLAIMS = Object.keys(CLAIM_FLAGS) as ClaimKey[];

const FLAGS: Record<string, string> = {
  username: '--username', password: '--password', roles: '--roles', participant_code: '--participant', ...CLAIM_FLAGS,
};

const attr = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

function claimOptions(cmd: Command): Command {
  return cmd
    .option('--email <email>', 'email')
    .option('--email-verified', 'the email address has been verified (OIDC email_verified)')
    .option('--no-email-verified', 'unset --email-verified')
    .option('--name <name>', 'display name (OIDC name)')
    .option('--given-name <name>', 'given_name')
    .option('--family-name <name>', 'family_name')
    .option('--picture <url>', 'picture: an https URL of a profile picture')
    .option('--locale <tag>', 'locale: a BCP 47 language tag, e.g. en-GB');
}

/** The claims given as options, keyed by config name (absent options left out). */
const claimsFromOptions = (o: Record<string, unknown>) =>
  Object.fromEntries(CLAIMS.map((k) => [k, o[attr(CLAIM_FLAGS[k])]]).filter(([, v]) => v !== undefined));

/** The user as the config file spells it; never the password hash (nor the internal id). */
export function userJson(u: User) {
  return compact({
    username: u.username, ...Object.fromEntries(CLAIMS.map((k) => [k, u[k]])), roles: u.roles, participant_code: u.participant_code,
    disabled: u.disabled, managed_by: u.managed_by,
  });
}

interface PasswordOpts { password?: string; passwordStdin?: boolean }

/** The password to set, and whether we generated it (then it is printed once); a given one meets the policy. */
async function choosePassword(o: PasswordOpts, policy: CredentialPolicy, username: string): Promise<{ password: string; generated: boolean }> {
  if (o.password !== undefined && o.passwordStdin) throw new CliError('give --password or --password-stdin, not both', 2);
  const password = o.passwordStdin ? await stdinLine('--password-stdin') : o.password;
  const flag = o.passwordStdin ? '--password-stdin' : '--password';
  if (password === '') throw new CliError(`${flag}: the password is empty`, 2);
  if (password === undefined) return { password: randomToken(18), generated: true };
  const problem = passwordProblem(password, policy, username);
  if (problem) throw new CliError(`${flag}: the password ${problem}`, 2);
  return { password, generated: false };
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

  claimOptions(passwordOptions(group.command('create'))
    .description('create a user; without --password(-stdin) a generated password is printed once')
    .option('--init', 'create the database first if it does not exist (as `tessera migrate`)')
    .option('--username <username>', 'username (required)'))
    .option('--roles <list>', 'roles, comma or space separated')
    .option('--participant <code>', 'participant_code of an existing participant')
    .option('--json', 'print JSON')
    .action((o: PasswordOpts & Record<string, unknown> & { username?: string; roles?: string; participant?: string; json?: boolean }, cmd: Command) => {
      // Check the cheap things before reading stdin or hashing.
      const input = () => validated(FLAGS, () => validateUser({
        ...claimsFromOptions(o), username: o.username, password: 'unused', roles: o.roles, participant_code: o.participant,
      }, ''));
      const print = (user: User, password: string, generated: boolean) => {
        if (o.json) printJson({ ...userJson(user), ...(generated ? { password } : {}) });
        else process.stdout.write(`created user ${user.username}\n`);
        if (generated) printSecretOnce('password', password, o.json === true);
      };
      return withBackend(cmd, {
        database: async ({ store, config }) => {
          const cfg0 = input();
          if (await store.users.getByUsername(cfg0.username)) throw new CliError(`user ${JSON.stringify(cfg0.username)} already exists`);
          if (cfg0.participant_code !== undefined && !(await store.participants.get(cfg0.participant_code))) {
            throw new CliError(`--participant: no participant with participant_code ${JSON.stringify(cfg0.participant_code)} (create it with \`tessera participant create\`)`);
          }
          const { password, generated } = await choosePassword(o, config.credential_policy, cfg0.username);
          print(await store.users.upsert(await userFromConfig({ ...cfg0, password }, null)), password, generated);
        },
        // The server holds the password to its own policy as well; this config's is checked first.
        server: async (api) => {
          const cfg0 = input();
          const { password, generated } = await choosePassword(o, commandConfig(cmd).credential_policy, cfg0.username);
          print(await api.call<User>('POST', '/admin/users', { ...compact(cfg0), password }), password, generated);
        },
      });
    });

  claimOptions(group.command('update <username>')
    .description('change a user\'s attributes: the options given replace those fields, the rest stay (the password too)')
    .option('-c, --config <file>', 'configuration file'))
    .option('--roles <list>', 'roles, comma or space separated')
    .option('--participant <code>', 'participant_code of an existing participant')
    .option('--json', 'print JSON')
    .action((username: string, o: Record<string, unknown> & { roles?: string; participant?: string; json?: boolean }, cmd: Command) => {
      const given = { ...claimsFromOptions(o), ...(o.roles !== undefined ? { roles: o.roles } : {}), ...(o.participant !== undefined ? { participant_code: o.participant } : {}) };
      // The config's rules; the password is not changed here (set-password), so a placeholder passes them.
      const input = (u: User) => {
        const { managed_by: _m, ...stored } = userJson(u);
        return validated(FLAGS, () => validateUser({ ...stored, ...given, password: 'unused' }, ''));
      };
      const print = (user: User) => {
        if (o.json) printJson(userJson(user));
        else process.stdout.write(`updated user ${username}\n`);
      };
      return withBackend(cmd, {
        database: async ({ store }) => {
          const u = await mustGetUser(store, username);
          const cfg = input(u);
          if (o.participant !== undefined && !(await store.participants.get(o.participant))) {
            throw new CliError(`--participant: no participant with participant_code ${JSON.stringify(o.participant)}`);
          }
          const now = Math.floor(Date.now() / 1000);
          const claims = Object.fromEntries(CLAIMS.map((k) => [k, cfg[k] ?? (k === 'email_verified' ? false : null)]));
          print((await saveUser(store, { ...u, ...claims, roles: cfg.roles, participant_code: cfg.participant_code ?? null, updated_at: now }, u, now)).user);
        },
        // Only the fields given, typed as validateUser made them.
        server: async (api) => {
          const u = await remoteUser(api, username);
          const cfg = input(u) as unknown as Record<string, unknown>;
          const body = Object.fromEntries(Object.keys(given).map((k) => [k, cfg[k] ?? null]));
          print(await api.call<User>('PATCH', `/admin/users/${seg(u.id)}`, body));
        },
      });
    });

  group.command('list')
    .description('list users')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const print = (users: User[]) => {
        if (o.json) return printJson(users.map(userJson));
        printTable(
          { username: 'USERNAME', name: 'NAME', email: 'EMAIL', roles: 'ROLES', participant_code: 'PARTICIPANT', disabled: 'DISABLED' },
          users.map((u) => ({ ...u, disabled: u.disabled ? 'yes' : 'no' })), 'no users',
        );
      };
      return withBackend(cmd, {
        database: async ({ store }) => print(await store.users.list()),
        server: async (api) => print(await api.all<User>('/admin/users')),
      });
    });

  group.command('show <username>')
    .description('show one user (never the password hash), with any current lockout')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((username: string, o: { json?: boolean }, cmd: Command) => {
      const print = (u: User) => {
        const lock = currentLock(u.locked_until);
        if (o.json) printJson(compact({ ...userJson(u), locked_until: lock }));
        else printFields({ ...userJson(u), locked_until: time(lock), created: time(u.created_at), updated: time(u.updated_at) });
      };
      return withBackend(cmd, {
        database: async ({ store }) => print(await mustGetUser(store, username)),
        server: async (api) => print(await remoteUser(api, username)),
      });
    });

  group.command('unlock <username>')
    .description('lift a lockout of the user (failed passwords); running servers see it at the next attempt')
    .option('-c, --config <file>', 'configuration file')
    .action((username: string, _o: unknown, cmd: Command) => withBackend(cmd, {
      database: async ({ store, config }) => {
        if (!(await unlock(store, config, 'user', username))) throw noUser(username);
        process.stdout.write(`unlocked user ${username}\n`);
      },
      server: async (api) => {
        await api.call('POST', await userPath(api, username, '/unlock'));
        process.stdout.write(`unlocked user ${username}\n`);
      },
    }));

  group.command('delete <username>')
    .description('delete a user')
    .option('-c, --config <file>', 'configuration file')
    .action((username: string, _o: unknown, cmd: Command) => withBackend(cmd, {
      database: async ({ store }) => {
        const u = await store.users.getByUsername(username);
        // Its sessions end with it: refresh tokens and the access tokens issued from them.
        const n = u ? await deleteUser(store, u, Math.floor(Date.now() / 1000)) : null;
        if (n === null) throw noUser(username);
        process.stdout.write(`deleted user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n`);
      },
      server: async (api) => {
        await api.call('DELETE', await userPath(api, username));
        process.stdout.write(`deleted user ${username} (its sessions revoked)\n`);
      },
    }));

  for (const disabled of [true, false]) {
    group.command(`${disabled ? 'disable' : 'enable'} <username>`)
      .description(disabled
        ? 'disable a user: the password grant refuses it and its sessions are revoked'
        : 'enable a disabled user; sessions revoked when it was disabled stay revoked')
      .option('-c, --config <file>', 'configuration file')
      .action((username: string, _o: unknown, cmd: Command) => withBackend(cmd, {
        database: async ({ store }) => {
          const u = await mustGetUser(store, username);
          const now = Math.floor(Date.now() / 1000);
          const { revoked: n } = await saveUser(store, { ...u, disabled, updated_at: now }, u, now);
          process.stdout.write(disabled ? `disabled user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n` : `enabled user ${username}\n`);
        },
        server: async (api) => {
          await api.call('POST', await userPath(api, username, disabled ? '/disable' : '/enable'));
          process.stdout.write(disabled ? `disabled user ${username} (its sessions revoked)\n` : `enabled user ${username}\n`);
        },
      }));
  }

  passwordOptions(group.command('set-password <username>'))
    .description('set a user\'s password; without --password(-stdin) a generated one is printed once')
    .action((username: string, o: PasswordOpts, cmd: Command) => withBackend(cmd, {
      database: async ({ store, config }) => {
        const u = await mustGetUser(store, username);
        const { password, generated } = await choosePassword(o, config.credential_policy, u.username);
        const now = Math.floor(Date.now() / 1000);
        // A new password ends the sessions made with the old one (e.g. an attacker's).
        const { revoked: n } = await saveUser(store, { ...u, password_hash: await hashPassword(password), updated_at: now }, u, now);
        process.stdout.write(`set the password of user ${username} (${n} session${n === 1 ? '' : 's'} revoked)\n`);
        if (generated) printSecretOnce('password', password, false);
      },
      server: async (api) => {
        const path = await userPath(api, username, '/password');
        const { password, generated } = await choosePassword(o, commandConfig(cmd).credential_policy, username);
        await api.call('PUT', path, { password });
        process.stdout.write(`set the password of user ${username} (its sessions revoked)\n`);
        if (generated) printSecretOnce('password', password, false);
      },
    }));
  serverOptions(group);
}
