// Runs the admin CLI as a user would (`node --import tsx src/cli/main.ts …`), without the
// caller's TESSERA_* overrides, so only the config file under test applies.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

export interface Run { code: number; stdout: string; stderr: string }

// The admin listener on a free port: parallel tests must not contend for 8081.
export const baseEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_'))), TESSERA_ADMIN_PORT: '0' };

/** The secret key every CLI run gets; a server the CLI administers must have the same. */
export const CLI_SECRET_KEY = 'cli-test-secret-key-0123456789abcdef';

export function tessera(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { env: { ...baseEnv, TESSERA_SECRET_KEY: CLI_SECRET_KEY, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** Asserts success and returns stdout; on failure the assertion shows stderr. */
export async function ok(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<string> {
  const r = await tessera(args, stdin, env);
  assert.equal(r.code, 0, `tessera ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
