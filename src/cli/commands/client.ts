// `tessera client create|update|list|show|unlock|delete|disable|enable|rotate-secret`. Options
// come from the metadata table (core/client-metadata.ts); input goes through validateClient,
// so the rules are the config's.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { validateClient } from '../../config/validate.js';
import { CLIENT_METADATA, METADATA_FIELDS } from '../../core/client-metadata.js';
import { generateClientSecret, hashClientSecret } from '../../core/secrets.js';
import { saveClient } from '../../core/sessions.js';
import type { Client } from '../../core/types.js';
import { clientFromConfig } from '../../entities.js';
import { serverOptions, withBackend } from '../backend.js';
import { checkGivenSecret, FLAGS, metadataFromOptions, metadataOptions, typedFields, warnGrantSet } from './client-options.js';
import { currentLock, unlock } from '../locks.js';
import {
  CliError, compact, printFields, printJson, printSecretOnce, printTable, time, validated,
} from '../output.js';
import { seg } from '../remote/admin-api.js';

/** What the admin API answers for a new secret (POST /admin/clients, …/secret). */
interface WithSecret { client: Client; client_secret?: string }
const noGivenSecret = () => new CliError('--secret: not with --server; the server generates the secret and prints it once', 2);

interface CreateOpts extends Record<string, unknown> {
  id?: string; authMethod?: string; public?: boolean; secret?: string; json?: boolean;
}

/** The client as the config file spells it; never the secret hash. */
export function clientJson(c: Client) {
  return compact({
    client_id: c.client_id,
    ...Object.fromEntries(METADATA_FIELDS.filter((k) => CLIENT_METADATA[k].show).map((k) => [k, c[k]])),
    managed_by: c.managed_by,
    client_secret_expires_at: c.client_secret_expires_at,
  });
}

function printClient(c: Client): void {
  printFields({
    ...clientJson(c), locked_until: time(currentLock(c.locked_until)), created: time(c.created_at), updated: time(c.updated_at),
    // A registered client's secret expiry and last use (its idle expiry counts from it).
    ...(c.managed_by === 'registration' ? { client_secret_expires_at: time(c.client_secret_expires_at), last_used: time(c.last_used_at) } : {}),
  });
}

const noClient = (id: string) => new CliError(`no client with client_id ${JSON.stringify(id)}`);

async function mustGet(store: { clients: { get(id: string): Promise<Client | null> } }, id: string): Promise<Client> {
  const c = await store.clients.get(id);
  if (!c) throw noClient(id);
  return c;
}

export function clientCommand(program: Command): void {
  const group = program.command('client').description('manage OAuth clients');

  metadataOptions(group.command('create')
    .description('register a client; a generated secret is printed once')
    .option('-c, --config <file>', 'configuration file')
    .option('--init', 'create the database first if it does not exist (as `tessera migrate`)')
    .option('--id <client_id>', 'client_id (default: a random UUID)')
    .option('--public', 'a public client (auth method none, no secret)')
    .option('--secret <secret>', 'use this secret instead of generating one'))
    .option('--json', 'print JSON')
    .action((o: CreateOpts, cmd: Command) => {
      if (o.public && o.authMethod !== undefined && o.authMethod !== 'none') {
        throw new CliError(`--public conflicts with --auth-method ${o.authMethod}`, 2);
      }
      const method = o.public ? 'none' : (o.authMethod ?? 'client_secret_basic');
      const given = metadataFromOptions(o);
      // Confidential clients get a generated secret unless one is given; public ones none
      // (a --secret with --public is left for validateClient to reject).
      const input = (secret: string | undefined) => validated(FLAGS, () => validateClient({
        ...given, client_id: o.id ?? randomUUID(), client_secret: secret, token_endpoint_auth_method: method,
      }, ''));
      const print = (client: Client, generated: string | undefined) => {
        if (o.json) printJson({ ...clientJson(client), ...(generated ? { client_secret: generated } : {}) });
        else process.stdout.write(`created client ${client.client_id}\n`);
        // Only a secret we made up is echoed: one the user typed they already have.
        if (generated) printSecretOnce('client_secret', generated, o.json === true);
      };
      return withBackend(cmd, {
        database: async ({ store, config }) => {
          checkGivenSecret(o.secret, config.credential_policy);
          const generated = method !== 'none' && o.secret === undefined ? generateClientSecret() : undefined;
          const cfg = input(o.secret ?? generated);
          if (await store.clients.get(cfg.client_id)) throw new CliError(`client ${JSON.stringify(cfg.client_id)} already exists`);
          warnGrantSet(cfg);
          const client = await clientFromConfig(cfg, null);
          await store.clients.upsert(client);
          print(client, generated);
        },
        server: async (api) => {
          if (o.secret !== undefined) throw noGivenSecret();
          // Validated here too, so the options are named in errors and typed in the body.
          const cfg = input(method === 'none' ? undefined : generateClientSecret());
          warnGrantSet(cfg);
          const body = { client_id: cfg.client_id, token_endpoint_auth_method: method, ...typedFields(cfg, given) };
          const r = await api.call<WithSecret>('POST', '/admin/clients', body);
          print(r.client, r.client_secret);
        },
      });
    });

  metadataOptions(group.command('update <client_id>')
    .description('change a client\'s metadata: the options given replace those fields, the rest stay (the secret too)')
    .option('-c, --config <file>', 'configuration file'))
    .option('--json', 'print JSON')
    .action((id: string, o: Record<string, unknown> & { json?: boolean }, cmd: Command) => {
      const given = metadataFromOptions(o);
      // The same validation as a new client: the stored fields with the options over them. A
      // placeholder secret passes the secret rule; the stored hash is kept.
      const input = (c: Client) => {
        const method = (given.token_endpoint_auth_method as string | undefined) ?? c.token_endpoint_auth_method;
        if (method !== c.token_endpoint_auth_method && (method === 'none' || c.token_endpoint_auth_method === 'none')) {
          throw new CliError('--auth-method: a client cannot switch between public and confidential; create a new one', 2);
        }
        const { managed_by: _m, client_secret_expires_at: _e, ...stored } = clientJson(c);
        const cfg = validated(FLAGS, () => validateClient({ ...stored, ...given, ...(method === 'none' ? {} : { client_secret: 'unchanged' }) }, ''));
        warnGrantSet(cfg);
        return cfg;
      };
      const print = (updated: Client) => {
        if (o.json) printJson(clientJson(updated));
        else process.stdout.write(`updated client ${id}\n`);
      };
      return withBackend(cmd, {
        database: async ({ store }) => {
          const c = await mustGet(store, id);
          const cfg = input(c);
          const now = Math.floor(Date.now() / 1000);
          const updated: Client = { ...(await clientFromConfig({ ...cfg, client_secret: undefined }, c, c.managed_by)), client_secret_hash: c.client_secret_hash,
            client_secret_expires_at: c.client_secret_expires_at, registration_access_token_hash: c.registration_access_token_hash, updated_at: now };
          // Through saveClient: --disabled ends its sessions as `client disable` does.
          await saveClient(store, updated, c, now);
          print(updated);
        },
        server: async (api) => {
          const cfg = input(await api.call<Client>('GET', `/admin/clients/${seg(id)}`));
          print(await api.call<Client>('PATCH', `/admin/clients/${seg(id)}`, typedFields(cfg, given)));
        },
      });
    });

  group.command('list')
    .description('list clients')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const print = (clients: Client[]) => {
        if (o.json) return printJson(clients.map(clientJson));
        printTable(
          { client_id: 'CLIENT_ID', client_name: 'NAME', token_endpoint_auth_method: 'AUTH', grant_types: 'GRANT_TYPES', access_token_format: 'FORMAT', disabled: 'DISABLED', scope: 'SCOPE' },
          clients.map((c) => ({ ...c, disabled: c.disabled ? 'yes' : 'no' })), 'no clients',
        );
      };
      return withBackend(cmd, {
        database: async ({ store }) => print(await store.clients.list()),
        server: async (api) => print(await api.all<Client>('/admin/clients')),
      });
    });

  group.command('show <client_id>')
    .description('show one client (never its secret)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }, cmd: Command) => {
      const print = (c: Client) => {
        if (o.json) printJson(compact({ ...clientJson(c), locked_until: currentLock(c.locked_until) }));
        else printClient(c);
      };
      return withBackend(cmd, {
        database: async ({ store }) => print(await mustGet(store, id)),
        server: async (api) => print(await api.call<Client>('GET', `/admin/clients/${seg(id)}`)),
      });
    });

  group.command('unlock <client_id>')
    .description('lift a lockout of the client (failed authentications); running servers see it at the next request')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, _o: unknown, cmd: Command) => withBackend(cmd, {
      database: async ({ store, config }) => {
        if (!(await unlock(store, config, 'client', id))) throw noClient(id);
        process.stdout.write(`unlocked client ${id}\n`);
      },
      server: async (api) => {
        await api.call('POST', `/admin/clients/${seg(id)}/unlock`);
        process.stdout.write(`unlocked client ${id}\n`);
      },
    }));

  group.command('delete <client_id>')
    .description('delete a client and its tokens')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, _o: unknown, cmd: Command) => withBackend(cmd, {
      database: async ({ store }) => {
        if (!(await store.clients.delete(id))) throw noClient(id);
        process.stdout.write(`deleted client ${id}\n`);
      },
      server: async (api) => {
        await api.call('DELETE', `/admin/clients/${seg(id)}`);
        process.stdout.write(`deleted client ${id}\n`);
      },
    }));

  for (const disabled of [true, false]) {
    group.command(`${disabled ? 'disable' : 'enable'} <client_id>`)
      .description(disabled
        ? 'disable a client: its credentials stop working and every token it was issued is revoked'
        : 'enable a disabled client; tokens revoked when it was disabled stay revoked')
      .option('-c, --config <file>', 'configuration file')
      .action((id: string, _o: unknown, cmd: Command) => withBackend(cmd, {
        database: async ({ store }) => {
          const c = await mustGet(store, id);
          const now = Math.floor(Date.now() / 1000);
          const n = await saveClient(store, { ...c, disabled, updated_at: now }, c, now);
          process.stdout.write(disabled ? `disabled client ${id} (${n} session${n === 1 ? '' : 's'} and tokens revoked)\n` : `enabled client ${id}\n`);
        },
        // The API does not count the sessions it ends.
        server: async (api) => {
          await api.call('POST', `/admin/clients/${seg(id)}/${disabled ? 'disable' : 'enable'}`);
          process.stdout.write(disabled ? `disabled client ${id} (its sessions and tokens revoked)\n` : `enabled client ${id}\n`);
        },
      }));
  }

  group.command('rotate-secret <client_id>')
    .description('replace the client secret; the new one is printed once and the old one stops working')
    .option('-c, --config <file>', 'configuration file')
    .option('--secret <secret>', 'use this secret instead of generating one')
    .option('--json', 'print JSON')
    .action((id: string, o: { secret?: string; json?: boolean }, cmd: Command) => {
      const print = (updated: Client, generated: string | undefined) => {
        if (o.json) printJson({ ...clientJson(updated), ...(generated ? { client_secret: generated } : {}) });
        else process.stdout.write(`rotated the secret of client ${id}\n`);
        if (generated) printSecretOnce('client_secret', generated, o.json === true);
      };
      return withBackend(cmd, {
        database: async ({ store, config }) => {
          const c = await mustGet(store, id);
          if (c.token_endpoint_auth_method === 'none') throw new CliError(`client ${JSON.stringify(id)} is public (token_endpoint_auth_method none): it has no secret`);
          checkGivenSecret(o.secret, config.credential_policy);
          const secret = o.secret ?? generateClientSecret();
          const updated: Client = { ...c, client_secret_hash: await hashClientSecret(secret), updated_at: Math.floor(Date.now() / 1000) };
          await store.clients.upsert(updated);
          print(updated, o.secret === undefined ? secret : undefined);
        },
        server: async (api) => {
          if (o.secret !== undefined) throw noGivenSecret();
          const r = await api.call<WithSecret>('POST', `/admin/clients/${seg(id)}/secret`);
          print(r.client, r.client_secret);
        },
      });
    });
  serverOptions(group);
}
