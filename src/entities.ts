// Building stored entities from config / CLI input, and the one place where entities are
// applied at start: the config file's, the enabled dialects' built-in clients and, under
// `serve --dev`, the dev fixtures; and where what Tessera keeps but no longer needs goes.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientConfig, Config, ParticipantConfig, UserConfig } from './config/schema.js';
import { DEFAULT_CREDENTIAL_POLICY, grantSetProblems, passwordProblem, secretProblem } from './core/credential-policy.js';
import { hashPassword, verifyPassword } from './core/password.js';
import { hashClientSecret, verifyClientSecret } from './core/secrets.js';
import { deleteUser, saveClient, saveUser } from './core/sessions.js';
import { defaultValue, METADATA_FIELDS, type MetadataField } from './core/client-metadata.js';
import type { Store } from './core/store.js';
import type { Client, ManagedBy, Participant, User } from './core/types.js';

const now = () => Math.floor(Date.now() / 1000);

/** The stored client for `c`; keeps the existing secret hash when the secret is unchanged. */
export async function clientFromConfig(c: ClientConfig, existing: Client | null, managedBy: ManagedBy = null): Promise<Client> {
  let hash: string | null = null;
  if (c.client_secret !== undefined) {
    hash = existing?.client_secret_hash && (await verifyClientSecret(c.client_secret, existing.client_secret_hash))
      ? existing.client_secret_hash
      : await hashClientSecret(c.client_secret);
  }
  const t = now();
  const metadata = Object.fromEntries(METADATA_FIELDS.map((k) => [k, c[k] ?? defaultValue(k)]));
  return {
    ...(metadata as Pick<Client, MetadataField>),
    client_id: c.client_id,
    client_secret_hash: hash,
    managed_by: managedBy,
    // Tokens cut off once stay cut off, whatever the file says now.
    tokens_not_before: existing?.tokens_not_before ?? null,
    // Not written by upsert: a lock stays whatever the file says (ClientRepo.setLock).
    locked_until: existing?.locked_until ?? null,
    created_at: existing?.created_at ?? t,
    updated_at: t,
    // Registration state belongs to registered clients (http/routes/register.ts), which
    // build on this and set it; an operator's client has none.
    client_secret_expires_at: null,
    registration_access_token_hash: null,
    last_used_at: existing?.last_used_at ?? null,
  };
}

export async function userFromConfig(u: UserConfig, existing: User | null, managedBy: ManagedBy = null): Promise<User> {
  const keep = existing && (await verifyPassword(existing.password_hash, u.password));
  const t = now();
  return {
    id: existing?.id ?? randomUUID(),
    username: u.username,
    password_hash: keep ? existing.password_hash : await hashPassword(u.password),
    email: u.email ?? null,
    email_verified: u.email_verified ?? false,
    name: u.name ?? null,
    given_name: u.given_name ?? null,
    family_name: u.family_name ?? null,
    picture: u.picture ?? null,
    locale: u.locale ?? null,
    roles: u.roles,
    participant_code: u.participant_code ?? null,
    managed_by: managedBy,
    disabled: u.disabled ?? false,
    tokens_not_before: existing?.tokens_not_before ?? null,
    locked_until: existing?.locked_until ?? null,
    created_at: existing?.created_at ?? t,
    updated_at: t,
  };
}

export function participantFromConfig(p: ParticipantConfig, existing: Participant | null): Participant {
  const t = now();
  return { participant_code: p.participant_code, name: p.name ?? null, roles: p.roles, created_at: existing?.created_at ?? t, updated_at: t };
}

/** Entities Tessera itself provides, each marked with who keeps it. */
export interface ManagedEntities {
  managedBy: Exclude<ManagedBy, null>;
  clients: ClientConfig[];
  users: UserConfig[];
  participants: ParticipantConfig[];
}

export interface EntityPlan {
  config: Pick<Config, 'clients' | 'users' | 'participants'> & Partial<Pick<Config, 'credential_policy'>>;
  /** The enabled dialects' built-in clients and, under --dev, the dev fixtures. */
  managed: ManagedEntities[];
}

/** What a managed entity met in the store; the dev banner reports `kept` ones. */
export interface ApplyReport {
  /** Ids/usernames of managed entities NOT written because an operator's entity holds the name. */
  kept: Set<string>;
}

/**
 * Applied at every start (and by nothing else): create or update the config's entities, then
 * the managed ones, then remove managed entities that no plan provides any more: a disabled
 * dialect's built-in client, and dev fixtures at a start without --dev. An operator's entity
 * always wins over a managed one of the same name, and is never removed or rewritten here.
 */
export async function applyEntities(store: Store, plan: EntityPlan, log: Logger): Promise<ApplyReport> {
  const cfg = plan.config;
  const kept = new Set<string>();
  const inConfig = { clients: new Set(cfg.clients.map((c) => c.client_id)), users: new Set(cfg.users.map((u) => u.username)) };
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

  const wanted = { clients: new Set<string>(), users: new Set<string>() };
  for (const m of plan.managed) {
    for (const p of m.participants) {
      const existing = await store.participants.get(p.participant_code);
      if (!existing) await store.participants.upsert(participantFromConfig(p, null));
    }
    for (const c of m.clients) {
      const existing = await store.clients.get(c.client_id);
      if (inConfig.clients.has(c.client_id) || (existing && existing.managed_by !== m.managedBy)) { kept.add(c.client_id); continue; }
      wanted.clients.add(c.client_id);
      await store.clients.upsert(await clientFromConfig(c, existing, m.managedBy));
    }
    for (const u of m.users) {
      const existing = await store.users.getByUsername(u.username);
      wanted.users.add(u.username);
      // Never a new password for a user who exists, whoever made it.
      if (existing) {
        if (existing.managed_by !== m.managedBy) kept.add(u.username);
        continue;
      }
      await store.users.upsert(await userFromConfig(u, null, m.managedBy));
    }
  }

  const removed: Record<string, string>[] = [];
  for (const c of await store.clients.list()) {
    // Registered clients (RFC 7591) are kept by their registration: the purge removes them.
    if (c.managed_by !== null && c.managed_by !== 'registration' && !wanted.clients.has(c.client_id)) {
      await store.clients.delete(c.client_id);
      removed.push({ client_id: c.client_id, managed_by: c.managed_by });
    }
  }
  for (const u of await store.users.list()) {
    if (u.managed_by !== null && !wanted.users.has(u.username)) {
      await deleteUser(store, u, now());
      removed.push({ username: u.username, managed_by: u.managed_by });
    }
  }
  // Expected after a `serve --dev` or with a dialect switched off: one line, not a warning each.
  if (removed.length > 0) log.info({ removed }, `removed ${removed.length} client(s)/user(s) Tessera had created and no longer provides (dev fixtures or a disabled dialect's built-in client)`);

  reportWeakEntries(cfg, log);
  const report = (kind: string, stored: string[], inCfg: string[]) => {
    const missing = stored.filter((s) => !inCfg.includes(s));
    if (inCfg.length > 0 && missing.length > 0) {
      const what = missing.length === 1 ? kind.replace(/s$/, '') : kind;
      log.info({ [kind]: missing.slice(0, 20) }, `${missing.length} ${what} in the database ${missing.length === 1 ? 'is' : 'are'} not in the config file; kept (delete with the CLI if intended)`);
    }
  };
  const operatorClients = (await store.clients.list()).filter((c) => c.managed_by === null);
  const operatorUsers = (await store.users.list()).filter((u) => u.managed_by === null);
  report('clients', operatorClients.map((c) => c.client_id), cfg.clients.map((c) => c.client_id));
  report('users', operatorUsers.map((u) => u.username), cfg.users.map((u) => u.username));
  report('participants', (await store.participants.list()).map((p) => p.participant_code), cfg.participants.map((p) => p.participant_code));
  return { kept };
}

/**
 * The config file may hold credentials below the policy (an existing system's, which its
 * clients keep using) and grant sets that cannot work: accepted, and said once per start.
 */
function reportWeakEntries(cfg: EntityPlan['config'], log: Logger): void {
  const policy = cfg.credential_policy ?? DEFAULT_CREDENTIAL_POLICY;
  const secrets = cfg.clients.filter((c) => c.client_secret !== undefined && secretProblem(c.client_secret, policy)).map((c) => c.client_id);
  if (secrets.length > 0) log.warn({ clients: secrets.slice(0, 20) }, `${secrets.length} client secret(s) in the config file are shorter than credential_policy.client_secret_min_length (${policy.client_secret_min_length}); replace them with generated ones (tessera client rotate-secret) when their clients allow it`);
  const passwords = cfg.users.filter((u) => passwordProblem(u.password, policy, u.username)).map((u) => u.username);
  if (passwords.length > 0) log.warn({ users: passwords.slice(0, 20) }, `${passwords.length} user password(s) in the config file do not meet the password policy (at least ${policy.password_min_length} characters, not the username)`);
  for (const c of cfg.clients) {
    const problems = grantSetProblems(c);
    if (problems.length > 0) log.warn({ client_id: c.client_id, problems }, `client ${c.client_id} in the config file: ${problems.join('; ')}`);
  }
}
