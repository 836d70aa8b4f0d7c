// `serve --dev`: a non-production IdP with ready-made credentials (dev/fixtures.ts) and one
// curl command per endpoint or dialect that works as printed.
import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { ManagedEntities } from '../entities.js';
import { activeFixtures, type DevSecret } from './fixtures.js';

/** Derived from the key-encryption secret: stable per installation, unguessable without it. */
export function devSecret(secretKey: string): DevSecret {
  return (label) => createHmac('sha256', secretKey).update(`dev:${label}`).digest('base64url').slice(0, 32);
}

/** All dev entities for this config, as one set Tessera keeps under `dev`. */
export function devEntities(config: Config, secretKey: string): ManagedEntities {
  const secret = devSecret(secretKey);
  const sets = activeFixtures(config).map((f) => f.entities(secret, config));
  return {
    managedBy: 'dev',
    clients: sets.flatMap((s) => s.clients),
    users: sets.flatMap((s) => s.users),
    participants: sets.flatMap((s) => s.participants),
  };
}

export function devBanner(config: Config, url: string, secretKey: string, kept: ReadonlySet<string>): string {
  const ctx = { url, config, secret: devSecret(secretKey), kept };
  const bar = '!'.repeat(78);
  return [
    bar,
    '!! DEV MODE: a NON-PRODUCTION identity provider with well-known or printed credentials.',
    '!! Do not expose it. Run `tessera serve` (without --dev) with a config file in production.',
    '!! Its demo clients and users are removed by the next start without --dev.',
    bar,
    `Tessera is listening on ${url} (issuer ${config.issuer})`,
    ...activeFixtures(config).flatMap((f) => ['', `# ${f.title}`, ...f.lines(ctx)]),
    '',
  ].join('\n');
}
