// Loading: file (YAML or JSON, --config PATH or ./tessera.yaml), then TESSERA_<KEY>
// environment overrides per top-level key, then validation. Any problem is a ConfigError
// naming the key; the CLI exits with code 2 on it.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './error.js';
import { KEY_TYPES, type Config } from './schema.js';
import { validateConfig } from './validate.js';

export { ConfigError };

export function readConfigFile(path: string | undefined): Record<string, unknown> {
  const file = path ?? (existsSync('tessera.yaml') ? 'tessera.yaml' : existsSync('tessera.yml') ? 'tessera.yml' : undefined);
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError('--config', yamlProblem(file, e));
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('--config', `${file} must hold a mapping of keys`);
  return doc as Record<string, unknown>;
}

/**
 * The parser's message as `FILE line L, column C: what is wrong`, then the lines it points
 * at: the library's own message ends in "at line 4, column 1:" followed by the excerpt.
 */
export function yamlProblem(file: string, e: unknown): string {
  const err = e as Error & { linePos?: { line: number; col: number }[] };
  const [first = String(e), ...rest] = err.message.split('\n');
  const what = first.replace(/ at line \d+, column \d+:?$/, '');
  const at = err.linePos?.[0] ? ` line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
  const excerpt = rest.filter((l) => l.trim() !== '').map((l) => `    ${l}`).join('\n');
  return `${file}${at} is not valid YAML/JSON: ${what}${excerpt ? `\n${excerpt}` : ''}`;
}

export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = { ...raw };
  for (const [key, type] of Object.entries(KEY_TYPES)) {
    const v = env[`TESSERA_${key.toUpperCase()}`];
    if (v === undefined) continue;
    if (type === 'number') {
      if (!/^\d+$/.test(v.trim())) throw new ConfigError(key, `TESSERA_${key.toUpperCase()} must be a whole number`);
      out[key] = Number(v);
    } else if (type === 'boolean') {
      if (!/^(true|false)$/.test(v.trim())) throw new ConfigError(key, `TESSERA_${key.toUpperCase()} must be true or false`);
      out[key] = v.trim() === 'true';
    } else if (type === 'object') {
      // A JSON mapping (partial: it merges with the defaults), or `false` to turn it off.
      const text = v.trim();
      if (text === 'false') out[key] = false;
      else {
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch (e) {
          throw new ConfigError(key, `TESSERA_${key.toUpperCase()} must be false or a JSON object, and is not valid JSON: ${(e as Error).message}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new ConfigError(key, `TESSERA_${key.toUpperCase()} must be false or a JSON object`);
        }
        out[key] = parsed;
      }
    } else if (type === 'mapping') {
      // A YAML/JSON mapping whose keys override the file's one by one:
      // TESSERA_PASSWORD_HASHING='{concurrency: 2}' keeps the file's queue.
      let doc: unknown;
      try { doc = parseYaml(v); } catch (e) {
        throw new ConfigError(key, `TESSERA_${key.toUpperCase()} is not valid YAML/JSON (${(e as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}); it takes a mapping such as '{concurrency: 2}'`);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        throw new ConfigError(key, `TESSERA_${key.toUpperCase()} must be a YAML or JSON mapping, e.g. '{concurrency: 2}'`);
      }
      const base = out[key];
      out[key] = { ...(typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {}), ...doc };
    } else if (type === 'list') {
      try {
        out[key] = v.trim().startsWith('[') ? parseYaml(v) : v.split(',').map((s) => s.trim()).filter(Boolean);
      } catch (e) {
        throw new ConfigError(key, `TESSERA_${key.toUpperCase()} is not a valid list: a JSON/YAML list ('["a","b"]') or comma-separated values (${(e as Error).message.split('\n')[0]})`);
      }
    } else {
      out[key] = v;
    }
  }
  return out;
}

/**
 * `overrides` are command-line options (`serve --port`): they win over the file and the
 * environment, and are validated like them, so values derived from them (the issuer from
 * host and port) follow.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  return validateConfig({ ...applyEnv(readConfigFile(path), env), ...overrides });
}
