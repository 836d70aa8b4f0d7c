// Starts the real server (startServer: config validation, store, migrations, HTTP on a
// free port) against a fresh database of the given backend, for black-box tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { validateConfig } from '../../src/config/validate.js';
import { startServer, type Running } from '../../src/server.js';
import { makeDatabase, type TestStore } from './stores.js';

export interface TestServer extends Running {
  backend: 'sqlite' | 'postgres';
  /** Stop the server and remove its database and data folder. */
  close(): Promise<void>;
}

export const SECRET_KEY = 'test-secret-key-test-secret-key-0123456789';

/** `raw` is a config document as a user would write it (clients, users, ttls, ...). */
export async function startTestServer(
  backend: 'sqlite' | 'postgres',
  raw: Record<string, unknown> = {},
  opts: {
    log?: Logger;
    /** Start on this database (e.g. one an earlier server used) and leave it for the caller to remove. */
    db?: TestStore;
    /** As `serve --dev`: apply the dev fixtures. */
    dev?: boolean;
  } = {},
): Promise<TestServer> {
  const db = opts.db ?? (await makeDatabase(backend));
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
  const config = validateConfig({ host: '127.0.0.1', port: 0, admin_port: 0, secret_key: SECRET_KEY, data_dir: dataDir, database: db.url, ...raw });
  const running = await startServer(config, opts.log ?? pino({ level: process.env.TESSERA_TEST_LOG ?? 'silent' }), { dev: opts.dev === true });
  // The issuer must be the address clients reach (RFC 8414 §3.3), known only after listen.
  if (raw.issuer === undefined) running.tessera.config.issuer = running.url;
  return {
    ...running,
    backend,
    close: async () => {
      await running.stop();
      if (!opts.db) await db.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST a form body; returns status, headers and parsed JSON (or text). */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Waits until a refresh token rotated now is past the race window (core/rotation.ts): a
 * replay of it then counts as reuse and revokes its family. Whole seconds, so 2-3 s.
 */
export async function pastRaceWindow(): Promise<void> {
  const { RACE_WINDOW_SECONDS } = await import('../../src/core/rotation.js');
  const until = (Math.floor(Date.now() / 1000) + RACE_WINDOW_SECONDS + 1) * 1000 + 20;
  await new Promise((res) => setTimeout(res, until - Date.now()));
}
