// Dialect registry: each vendor token API is a thin mapping onto the core, in its own file.
// Which dialects are mounted comes from config `dialects`.
import type { FastifyInstance } from 'fastify';
import type { DialectName } from '../config/schema.js';
import type { Tessera } from '../runtime.js';
import { apkDialect, forgetApkSampleClient } from './apk.js';
import { hcxDialect } from './hcx.js';
import { oDialect } from './o.js';
import { v1Dialect } from './v1.js';

export interface Dialect {
  name: DialectName;
  register(app: FastifyInstance, t: Tessera): void | Promise<void>;
}

export const dialects = new Map<DialectName, Dialect>(
  [oDialect, apkDialect, hcxDialect, v1Dialect].map((d) => [d.name, d]),
);

export async function registerDialects(app: FastifyInstance, t: Tessera): Promise<void> {
  // Whether or not apk is mounted: a published secret must not work outside `serve --dev`.
  await forgetApkSampleClient(t);
  for (const name of t.config.dialects) {
    const d = dialects.get(name);
    if (d) await d.register(app, t);
  }
}
