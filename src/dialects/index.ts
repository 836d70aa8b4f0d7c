// Dialect registry: each vendor token API is a thin mapping onto the core, in its own file.
// Which dialects are mounted comes from config `dialects`.
import type { FastifyInstance } from 'fastify';
import type { DialectName } from '../config/schema.js';
import type { Tessera } from '../runtime.js';

export interface Dialect {
  name: DialectName;
  register(app: FastifyInstance, t: Tessera): void | Promise<void>;
}

export const dialects = new Map<DialectName, Dialect>();

export async function registerDialects(app: FastifyInstance, t: Tessera): Promise<void> {
  for (const name of t.config.dialects) {
    const d = dialects.get(name);
    if (d) await d.register(app, t);
  }
}
