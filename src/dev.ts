// `serve --dev`: a non-production IdP with ready-made credentials, and one curl command per
// endpoint or dialect that works as printed. Each dialect adds its own section.
import { createHmac } from 'node:crypto';
import { clientFromConfig, userFromConfig } from './entities.js';
import type { ClientConfig, UserConfig } from './config/schema.js';
import { apkDevFixture } from './dialects/apk.js';
import { hcxDevFixture } from './dialects/hcx.js';
import { oDevFixture } from './dialects/o.js';
import { v1DevFixture } from './dialects/v1.js';
import { resolveSecretKey, type Tessera } from './runtime.js';

export interface DevContext {
  t: Tessera;
  /** The URL the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stable per data folder, unguessable: derived from the key-encryption secret. */
  secret(label: string): string;
}

export interface DevSection {
  title: string;
  lines: string[];
}

/** null: nothing to show (e.g. the fixture's dialect is switched off in config). */
export type DevFixture = (ctx: DevContext) => Promise<DevSection | null>;

export async function ensureClient(t: Tessera, c: ClientConfig): Promise<void> {
  await t.store.clients.upsert(await clientFromConfig(c, await t.store.clients.get(c.client_id)));
}

export async function ensureUser(t: Tessera, u: UserConfig): Promise<void> {
  await t.store.users.upsert(await userFromConfig(u, await t.store.users.getByUsername(u.username)));
}

const standard: DevFixture = async ({ t, url, secret }) => {
  const clientSecret = secret('demo-client');
  const password = secret('alice').slice(0, 16);
  await ensureClient(t, {
    client_id: 'demo', client_secret: clientSecret, client_name: 'Dev demo client',
    grant_types: ['client_credentials', 'password', 'refresh_token'], scope: 'read write',
    token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', resources: [],
  });
  await ensureUser(t, { username: 'alice', password, roles: ['user'], email: 'alice@example.test', name: 'Alice Dev' });
  return {
    title: 'standard RFC 6749 endpoints',
    lines: [
      `client: demo / ${clientSecret}    user: alice / ${password}`,
      `curl -s -u 'demo:${clientSecret}' -d grant_type=client_credentials ${url}/oauth2/token`,
      `curl -s -u 'demo:${clientSecret}' -d grant_type=password -d username=alice -d 'password=${password}' ${url}/oauth2/token`,
    ],
  };
};

// Dialect fixtures are function declarations, so this list can be built while a dialect
// module that imports this one is still loading (the two import each other).
export const devFixtures: DevFixture[] = [standard, oDevFixture, apkDevFixture, hcxDevFixture, v1DevFixture];

export async function setUpDev(t: Tessera, url: string): Promise<string> {
  const key = t.config.secret_key ?? resolveSecretKey(t.config, t.log);
  const secret = (label: string) => createHmac('sha256', key).update(`dev:${label}`).digest('base64url').slice(0, 32);
  const sections: DevSection[] = [];
  for (const f of devFixtures) {
    const section = await f({ t, url, secret });
    if (section) sections.push(section);
  }
  const bar = '!'.repeat(78);
  return [
    bar,
    '!! DEV MODE: a NON-PRODUCTION identity provider with well-known or printed credentials.',
    '!! Do not expose it. Run `tessera serve` (without --dev) with a config file in production.',
    bar,
    `Tessera is listening on ${url} (issuer ${t.config.issuer})`,
    ...sections.flatMap((s) => ['', `# ${s.title}`, ...s.lines]),
    '',
  ].join('\n');
}
