// Dialect registry: each vendor token API is a declared value in its own file. Which are
// mounted comes from config `dialects`; http/app.ts mounts them, entities.ts applies their
// built-in clients.
import type { Config, DialectName } from '../config/schema.js';
import type { ManagedEntities } from '../entities.js';
import { apkDialect } from './apk.js';
import type { Dialect } from './dialect.js';
import { hcxDialect } from './hcx.js';
import { oDialect } from './o.js';
import { v1Dialect } from './v1.js';

export type { Dialect } from './dialect.js';

export const dialects: ReadonlyMap<DialectName, Dialect> = new Map<DialectName, Dialect>(
  [oDialect, apkDialect, hcxDialect, v1Dialect].map((d) => [d.name, d]),
);

/** The dialects the config enables, in its order. */
export function enabledDialects(config: Pick<Config, 'dialects'>): Dialect[] {
  return config.dialects.map((n) => dialects.get(n)).filter((d): d is Dialect => d !== undefined);
}

/** The enabled dialects' built-in clients, as entities Tessera keeps (entities.ts). */
export function builtInEntities(config: Config): ManagedEntities[] {
  return enabledDialects(config).flatMap((d) => (d.builtInClients
    ? [{ managedBy: `dialect:${d.name}` as const, clients: d.builtInClients(config), users: [], participants: [] }]
    : []));
}
