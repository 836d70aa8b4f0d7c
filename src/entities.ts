// Building stored entities from config / CLI input, and applying the config file's
// clients, users and participants idempotently at every start.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientConfig, Config, ParticipantConfig, UserConfig } from './config/schema.js';
import { hashPassword, verifyPassword } from './core/password.js';
import { hashClientSecret, verifyClientSecret } from './core/secrets.js';
import { saveClient, saveUser } from './core/sessions.js';
import type { Store } from './core/store.js';
import type { Client, Participant, User } from './core/types.js';

const now = () => Math.floor(Date.now() / 1000);

/** The stored client for `c`; keeps the existing secret hash when the secret is unchanged. */
export async function clientFromConfig(c: ClientConfig, existing: Client | null): Promise<Client> {
  let hash: string | null = null;
  if (c.client_secret !== undefined) {
    hash = existing?.client_secret_hash && (await verifyClientSecret(c.client_secret, existing.client_secret_hash))
      ? existing.client_secret_hash
      : await hashClientSecret(c.client_secret);
  }
  const t = now();
  return {
    client_id: c.client_id,
    client_secret_hash: hash,
    client_name: c.client_name ?? null,
    grant_types: c.grant_types,
    scope: c.scope,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    access_token_format: c.access_token_format,
    access_token_ttl: c.access_token_ttl ?? null,
    refresh_token_ttl: c.refresh_token_ttl ?? null,
    audience: c.audience ?? null,
    access_token_signing_alg: c.access_token_signing_alg ?? null,
    resources: c.resources,
    profile: c.profile ?? null,
    refresh_token_idle_ttl: c.refresh_token_idle_ttl ?? null,
    disabled: c.disabled ?? false,
    // Tokens cut off once stay cut off, whatever the file says now.
    tokens_not_before: existing?.tokens_not_before ?? null,
    created_at: existing?.created_at ?? t,
    updated_at: t,
  };
}

export async function userFromConfig(u: UserConfig, existing: User | null): Promise<User> {
  const keep = existing && (await verifyPassword(existing.password_hash, u.password));
  const t = now();
  return {
    id: existing?.id ?? randomUUID(),
    username: u.username,
    password_hash: keep ? existing.password_hash : await hashPassword(u.password),
    email: u.email ?? null,
    name: u.name ?? null,
    roles: u.roles,
    participant_code: u.participant_code ?? null,
    disabled: u.disabled ?? false,
    tokens_not_before: existing?.tokens_not_before ?? null,
    created_at: existing?.created_at ?? t,
    updated_at: t,
  };
}

export function participantFromConfig(p: ParticipantConfig, existing: Participant | null): Participant {
  const t = now();
  return { participant_code: p.participant_code, name: p.name ?? null, roles: p.roles, created_at: existing?.created_at ?? t, updated_at: t };
}

/** Create or update every entity in the config; report (never delete) stored ones it lacks. */
export async function applyConfigEntities(store: Store, cfg: Pick<Config, 'clients' | 'users' | 'participants'>, log: Logger): Promise<void> {
  for (const p of cfg.participants) {
    await store.participants.upsert(participantFromConfig(p, await store.participants.get(p.participant_code)));
  }
  // Through saveClient/saveUser: a password changed in the file or a `disabled: true` ends
  // the sessions, as the same change made with the CLI does.
  for (const c of cfg.clients) {
    const existing = await store.clients.get(c.client_id);
    const n = await saveClient(store, await clientFromConfig(c, existing), existing, now());
    if (n > 0) log.info({ client_id: c.client_id, revoked: n }, 'client disabled by the config file: its tokens were revoked');
  }
  for (const u of cfg.users) {
    const existing = await store.users.getByUsername(u.username);
    const { user, revoked } = await saveUser(store, await userFromConfig(u, existing), existing, now());
    if (revoked > 0) log.info({ user_id: user.id, revoked }, 'user password changed or user disabled by the config file: its sessions were revoked');
  }
  const report = (kind: string, stored: string[], inConfig: string[]) => {
    const missing = stored.filter((s) => !inConfig.includes(s));
    if (inConfig.length > 0 && missing.length > 0) {
      log.info({ [kind]: missing.slice(0, 20) }, `${missing.length} ${kind} in the database are not in the config file; they were kept (delete them with the CLI if intended)`);
    }
  };
  report('clients', (await store.clients.list()).map((c) => c.client_id), cfg.clients.map((c) => c.client_id));
  report('users', (await store.users.list()).map((u) => u.username), cfg.users.map((u) => u.username));
  report('participants', (await store.participants.list()).map((p) => p.participant_code), cfg.participants.map((p) => p.participant_code));
}
