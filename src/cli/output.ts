// What every admin command shares: the open → migrate → run → close frame, errors that
// end in an exit code instead of a stack trace, and printing (aligned text for people,
// JSON for scripts).
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/error.js';
import type { Store } from '../core/store.js';
import { databaseExists } from '../store/exists.js';
import { openStore } from '../store/index.js';
import { commandConfig } from './options.js';

/** A problem the user can fix (unknown id, bad option value): message on stderr, no stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 | 3 = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs an action that opens no database: a CliError becomes its message and exit code. */
export async function reported(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`tessera: ${e.message}\n`);
    process.exitCode = e.exitCode;
  }
}

export interface Context {
  config: Config;
  store: Store;
  /** Migration versions applied by this run (`tessera migrate` reports them). */
  applied: number[];
}

/** The database URL without its password, for messages. */
export function safeUrl(database: string): string {
  try {
    const u = new URL(database);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return database;
  }
}

/**
 * Opens the configured database, says which on stderr, and runs `fn`. A database that does
 * not exist yet is created only by `migrate` or a command given `--init` (`create`); any
 * other command refuses it (exit 2) rather than act on a new, empty one.
 */
export async function withStore(cmd: Command, fn: (ctx: Context) => Promise<void>, opts: { create?: boolean } = {}): Promise<void> {
  // A ConfigError here propagates: main.ts prints it and exits 2.
  const config = commandConfig(cmd);
  const where = safeUrl(config.database);
  // An unreachable database is an operational problem, not a bug: one line, no stack trace.
  const unavailable = (e: unknown) => new CliError(`database ${where}: ${(e as Error).message}`);
  const create = opts.create === true || cmd.opts<{ init?: boolean }>().init === true;
  let store: Store | undefined;
  try {
    const exists = await databaseExists(config.database).catch((e: unknown) => { throw unavailable(e); });
    if (!exists && !create) {
      throw new CliError(`database ${where} does not exist (or has no Tessera schema): create it with \`tessera migrate\`, or give --init to a create command`, 2);
    }
    process.stderr.write(`tessera: ${exists ? 'database' : 'creating database'} ${where}\n`);
    store = await openStore(config.database).catch((e: unknown) => { throw unavailable(e); });
    const applied = await store.migrate().catch((e: unknown) => { throw unavailable(e); });
    await fn({ config, store, applied });
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`tessera: ${e.message}\n`);
    // exitCode, not exit(): the store still has to close (pg pool, SQLite WAL checkpoint).
    process.exitCode = e.exitCode;
  } finally {
    await store?.close();
  }
}

/**
 * Runs a validator from config/validate.ts on CLI input, so the CLI and the config file
 * share one set of rules; its error names the option the user typed instead of the key.
 */
export function validated<T>(flags: Record<string, string>, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const problem = e.message.slice(`config: ${e.key}: `.length);
    throw new CliError(`${flags[e.key] ?? e.key}: ${problem}`, 2);
  }
}

/** Comma- or space-separated list option. */
export const list = (v: string | undefined): string[] | undefined => v?.split(/[\s,]+/).filter(Boolean);

/** Drops null/undefined fields: the JSON then reads like a config file entry. */
export function compact<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

export const time = (epoch: number | null): string => (epoch === null ? '-' : new Date(epoch * 1000).toISOString());

const cell = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : Array.isArray(v) ? (v.length ? v.join(',') : '-') : String(v));

/** An aligned table; `empty` is printed instead when there are no rows. */
export function printTable(columns: Record<string, string>, rows: Record<string, unknown>[], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const keys = Object.keys(columns);
  const text = [keys.map((k) => columns[k]!), ...rows.map((r) => keys.map((k) => cell(r[k])))];
  const widths = keys.map((_, i) => Math.max(...text.map((line) => line[i]!.length)));
  for (const line of text) process.stdout.write(`${line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
}

/** `key: value` lines for one record. */
export function printFields(fields: Record<string, unknown>): void {
  const w = Math.max(...Object.keys(fields).map((k) => k.length));
  for (const [k, v] of Object.entries(fields)) process.stdout.write(`${`${k}:`.padEnd(w + 1)} ${cell(v)}\n`);
}

/** A secret shown once: the user must copy it now, as only its hash is stored. */
export function printSecretOnce(label: string, secret: string, json: boolean): void {
  const note = `Save this ${label} now: it will not be shown again.\n`;
  if (json) {
    process.stderr.write(note); // stdout stays valid JSON
  } else {
    process.stdout.write(`${label}: ${secret}\n${note}`);
  }
}
