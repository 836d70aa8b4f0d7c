// `tessera client create|list|show|unlock|delete|disable|enable|rotate-secret`. Options carry the
// RFC 7591 names of the config file; input goes through validateClient, so the rules are
// the config's.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { validateClient } from '../../config/validate.js';
import { generateClientSecret, hashClientSecret } from '../../core/secrets.js';
import { saveClient } from '../../core/sessions.js';
import type { Client } from '../../core/types.js';
import { clientFromConfig } from '../../entities.js';
import { currentLock, unlock } from '../locks.js';
import {
  CliError, compact, printFields, printJson, printSecretOnce, printTable, time, validated, withStore,
} from '../output.js';

/** Config key → the option that sets it, for error messages. */
const FLAGS: Record<string, string> = {
  client_id: '--id', client_secret: '--secret', client_name: '--name', grant_types: '--grant-types',
  scope: '--scope', token_endpoint_auth_method: '--auth-method', access_token_format: '--format',
  access_token_ttl: '--access-token-ttl', refresh_token_ttl: '--refresh-token-ttl', audience: '--audience',
  access_token_signing_alg: '--alg', resources: '--resources', profile: '--profile', introspect: '--introspect',
  refresh_token_idle_ttl: '--refresh-token-idle-ttl', refresh_token_grace_period: '--refresh-token-grace-period',
};

interface CreateOpts {
  id?: string; name?: string; grantTypes?: string; scope?: string; authMethod?: string; public?: boolean;
  format?: string; accessTokenTtl?: string; refreshTokenTtl?: string; refreshTokenIdleTtl?: string; refreshTokenGracePeriod?: string; audience?: string; alg?: string;
  resources?: string; profile?: string; introspect?: string; secret?: string; json?: boolean;
}

/** The client as the config file spells it; never the secret hash. */
export function clientJson(c: Client) {
  return compact({
    client_id: c.client_id, client_name: c.client_name, grant_types: c.grant_types, scope: c.scope,
    token_endpoint_auth_method: c.token_endpoint_auth_method, access_token_format: c.access_token_format,
    access_token_ttl: c.access_token_ttl, refresh_token_ttl: c.refresh_token_ttl, audience: c.audience,
    access_token_signing_alg: c.access_token_signing_alg, resources: c.resources, profile: c.profile,
    introspect: c.introspect, managed_by: c.managed_by,
    refresh_token_idle_ttl: c.refresh_token_idle_ttl, refresh_token_grace_period: c.refresh_token_grace_period, disabled: c.disabled,
  });
}

function printClient(c: Client): void {
  printFields({ ...clientJson(c), locked_until: time(currentLock(c.locked_until)), created: time(c.created_at), updated: time(c.updated_at) });
}

const noClient = (id: string) => new CliError(`no client with client_id ${JSON.stringify(id)}`);

async function mustGet(store: { clients: { get(id: string): Promise<Client | null> } }, id: string): Promise<Client> {
  const c = await store.clients.get(id);
  if (!c) throw noClient(id);
  return c;
}

export function clientCommand(program: Command): void {
  const group = program.command('client').description('manage OAuth clients');

  group.command('create')
    .description('register a client; a generated secret is printed once')
    .option('-c, --config <file>', 'configuration file')
    .option('--id <client_id>', 'client_id (default: a random UUID)')
    .option('--name <name>', 'client_name')
    .option('--grant-types <list>', 'grant_types, comma or space separated (default: client_credentials)')
    .option('--scope <scopes>', 'scopes the client may ask for')
    .option('--auth-method <method>', 'token_endpoint_auth_method: client_secret_basic|client_secret_post|none')
    .option('--public', 'a public client (auth method none, no secret)')
    .option('--format <format>', 'access_token_format: jwt|opaque')
    .option('--access-token-ttl <seconds>', 'access_token_ttl')
    .option('--refresh-token-ttl <seconds>', 'refresh_token_ttl')
    .option('--refresh-token-idle-ttl <seconds>', 'refresh_token_idle_ttl')
    .option('--refresh-token-grace-period <seconds>', 'refresh_token_grace_period: 0-300 (default: the top-level value)')
    .option('--audience <aud>', 'audience of its access tokens')
    .option('--alg <alg>', 'access_token_signing_alg: ES256|RS256|PS256|EdDSA')
    .option('--resources <list>', 'RFC 8707 resource indicators it may ask for')
    .option('--profile <profile>', 'dialect profile: apk|hcx|o|v1')
    .option('--introspect <which>', 'tokens it may introspect: own (default: its own, and access tokens naming it in aud) | all (a gateway)')
    .option('--secret <secret>', 'use this secret instead of generating one')
    .option('--json', 'print JSON')
    .action((o: CreateOpts, cmd: Command) => withStore(cmd, async ({ store }) => {
      if (o.public && o.authMethod !== undefined && o.authMethod !== 'none') {
        throw new CliError(`--public conflicts with --auth-method ${o.authMethod}`, 2);
      }
      if (o.secret === '') throw new CliError('--secret: must not be empty', 2);
      const method = o.public ? 'none' : (o.authMethod ?? 'client_secret_basic');
      // Confidential clients get a generated secret unless one is given; public ones none
      // (a --secret with --public is left for validateClient to reject).
      const generated = method !== 'none' && o.secret === undefined ? generateClientSecret() : undefined;
      const secret = o.secret ?? generated;
      const cfg = validated(FLAGS, () => validateClient({
        client_id: o.id ?? randomUUID(), client_secret: secret, client_name: o.name, grant_types: o.grantTypes,
        scope: o.scope, token_endpoint_auth_method: method, access_token_format: o.format,
        access_token_ttl: o.accessTokenTtl, refresh_token_ttl: o.refreshTokenTtl, refresh_token_idle_ttl: o.refreshTokenIdleTtl,
        refresh_token_grace_period: o.refreshTokenGracePeriod, audience: o.audience,
        access_token_signing_alg: o.alg, resources: o.resources, profile: o.profile, introspect: o.introspect,
      }, ''));
      if (await store.clients.get(cfg.client_id)) throw new CliError(`client ${JSON.stringify(cfg.client_id)} already exists`);
      const client = await clientFromConfig(cfg, null);
      await store.clients.upsert(client);
      if (o.json) {
        printJson({ ...clientJson(client), ...(generated ? { client_secret: generated } : {}) });
      } else {
        process.stdout.write(`created client ${client.client_id}\n`);
      }
      // Only a secret we made up is echoed: one the user typed they already have.
      if (generated) printSecretOnce('client_secret', generated, o.json === true);
    }));

  group.command('list')
    .description('list clients')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const clients = await store.clients.list();
      if (o.json) return printJson(clients.map(clientJson));
      printTable(
        { client_id: 'CLIENT_ID', client_name: 'NAME', token_endpoint_auth_method: 'AUTH', grant_types: 'GRANT_TYPES', access_token_format: 'FORMAT', disabled: 'DISABLED', scope: 'SCOPE' },
        clients.map((c) => ({ ...c, disabled: c.disabled ? 'yes' : 'no' })), 'no clients',
      );
    }));

  group.command('show <client_id>')
    .description('show one client (never its secret)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const c = await mustGet(store, id);
      if (o.json) printJson(compact({ ...clientJson(c), locked_until: currentLock(c.locked_until) }));
      else printClient(c);
    }));

  group.command('unlock <client_id>')
    .description('lift a lockout of the client (failed authentications); running servers see it at the next request')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store, config }) => {
      if (!(await unlock(store, config, 'client', id))) throw noClient(id);
      process.stdout.write(`unlocked client ${id}\n`);
    }));

  group.command('delete <client_id>')
    .description('delete a client and its tokens')
    .option('-c, --config <file>', 'configuration file')
    .action((id: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store }) => {
      if (!(await store.clients.delete(id))) throw noClient(id);
      process.stdout.write(`deleted client ${id}\n`);
    }));

  for (const disabled of [true, false]) {
    group.command(`${disabled ? 'disable' : 'enable'} <client_id>`)
      .description(disabled
        ? 'disable a client: its credentials stop working and every token it was issued is revoked'
        : 'enable a disabled client; tokens revoked when it was disabled stay revoked')
      .option('-c, --config <file>', 'configuration file')
      .action((id: string, _o: unknown, cmd: Command) => withStore(cmd, async ({ store }) => {
        const c = await mustGet(store, id);
        const now = Math.floor(Date.now() / 1000);
        const n = await saveClient(store, { ...c, disabled, updated_at: now }, c, now);
        process.stdout.write(disabled ? `disabled client ${id} (${n} session${n === 1 ? '' : 's'} and tokens revoked)\n` : `enabled client ${id}\n`);
      }));
  }

  group.command('rotate-secret <client_id>')
    .description('replace the client secret; the new one is printed once and the old one stops working')
    .option('-c, --config <file>', 'configuration file')
    .option('--secret <secret>', 'use this secret instead of generating one')
    .option('--json', 'print JSON')
    .action((id: string, o: { secret?: string; json?: boolean }, cmd: Command) => withStore(cmd, async ({ store }) => {
      const c = await mustGet(store, id);
      if (c.token_endpoint_auth_method === 'none') throw new CliError(`client ${JSON.stringify(id)} is public (token_endpoint_auth_method none): it has no secret`);
      if (o.secret === '') throw new CliError('--secret: must not be empty', 2);
      const secret = o.secret ?? generateClientSecret();
      const updated: Client = { ...c, client_secret_hash: await hashClientSecret(secret), updated_at: Math.floor(Date.now() / 1000) };
      await store.clients.upsert(updated);
      if (o.json) printJson({ ...clientJson(updated), ...(o.secret === undefined ? { client_secret: secret } : {}) });
      else process.stdout.write(`rotated the secret of client ${id}\n`);
      if (o.secret === undefined) printSecretOnce('client_secret', secret, o.json === true);
    }));
}
