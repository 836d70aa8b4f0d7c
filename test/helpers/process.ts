// Real `tessera serve` processes (not node:cluster workers), as separate instances behind a
// load balancer would run: each its own process on a free port, sharing one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, CLI_SECRET_KEY } from './cli.js';

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** stdout and stderr so far (JSON log lines). */
  output(): string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** A config file for instances: one issuer for all, the CLI's secret key, the given database. */
export function writeInstanceConfig(raw: Record<string, unknown>): { path: string; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-instance-'));
  const path = join(dir, 'tessera.yaml');
  writeFileSync(path, JSON.stringify({
    host: '127.0.0.1', port: 0, issuer: 'http://127.0.0.1:1', secret_key: CLI_SECRET_KEY, data_dir: dir, log_level: 'info', ...raw,
  }));
  return { path, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `tessera serve --config path`; resolves once it logs `tessera ready` with its URL. */
export function spawnServer(configPath: string, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...baseEnv, TESSERA_SECRET_KEY: CLI_SECRET_KEY },
  });
  let out = '';
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`not ready after ${timeoutMs} ms: ${out.slice(-2000)}`)); }, timeoutMs);
    const onData = (c: Buffer) => {
      out += String(c);
      const m = /"url":"(http[^"]+)"[^\n]*"msg":"tessera ready"/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!, pid: child.pid!, child, exited, output: () => out,
        stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await exited; },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => { out += String(c); });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code} before ready: ${out.slice(-2000)}`)); });
  });
}
