// Child processes for the servers under test: each runs in its own process, so the load
// generator (this process) and the server never share an event loop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface Child {
  name: string;
  url: string;
  pid: number;
  proc: ChildProcess;
  /** Milliseconds from spawn to the first 200 on the readiness URL (or the "listening" line). */
  readyMs: number;
  stderr(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (VmRSS from /proc/<pid>/status). */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function spawnChild(name: string, args: string[], env: NodeJS.ProcessEnv) {
  const started = performance.now();
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
  };
  return { name, proc, started, stderr: () => err, exited, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir: string, ext: string): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) max = Math.max(max, newestMtime(p, ext));
    else if (name.endsWith(ext)) max = Math.max(max, st.mtimeMs);
  }
  return max;
}

let cliArgs: string[] | undefined;

/**
 * The command that runs Tessera's CLI, as production runs it (compiled JavaScript): dist/
 * when it is built and no source file is newer than it; else a private build of src/ into
 * .bench-dist/ (git-ignored; a stale dist would measure old code); else, when that build
 * fails, the sources through tsx. The private build sits beside dist/, at the same depth,
 * because compiled modules find files tsc does not emit by paths relative to themselves
 * (`../../package.json`, `../../src/web/templates/`).
 */
export function tesseraArgs(): string[] {
  if (cliArgs) return cliArgs;
  const dist = join(ROOT, 'dist/cli/main.js');
  if (existsSync(dist) && newestMtime(join(ROOT, 'dist'), '.js') >= newestMtime(join(ROOT, 'src'), '.ts')) return (cliArgs = [dist]);
  const out = join(ROOT, '.bench-dist');
  rmSync(out, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.json'), '--outDir', out, '--incremental', 'false', '--sourceMap', 'false', '--noEmitOnError', 'false'], { cwd: ROOT, stdio: 'ignore' });
  if (existsSync(join(out, 'cli/main.js'))) return (cliArgs = [join(out, 'cli/main.js')]);
  return (cliArgs = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')]);
}

/** Start `tessera serve --config FILE` and wait for /readyz to answer 200. */
export async function startTessera(name: string, configFile: string, port: number, nodeFlags: string[] = []): Promise<Child> {
  const c = spawnChild(name, [...nodeFlags, ...tesseraArgs(), 'serve', '--config', configFile], {});
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let dead = false;
  void c.exited.then(() => { dead = true; });
  for (;;) {
    if (dead) throw new Error(`${name} exited before it was ready:\n${c.stderr()}`);
    if (Date.now() > deadline) { await c.stop(); throw new Error(`${name} not ready within 60 s:\n${c.stderr()}`); }
    try {
      const r = await fetch(`${url}/readyz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    await sleep(5);
  }
  const readyMs = performance.now() - c.started;
  return { name, url, pid: c.proc.pid!, proc: c.proc, readyMs, stderr: c.stderr, stop: c.stop };
}

/** Start a peer script (bench/peers/*.mjs) that prints {"port": N} once it listens. */
export async function startPeer(name: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const c = spawnChild(name, [join(ROOT, script)], { PORT: '0', ...env });
  const lines = createInterface({ input: c.proc.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${c.stderr()}`)), 30_000);
    lines.on('line', (line) => {
      try {
        const p = (JSON.parse(line) as { port?: number }).port;
        if (p) { clearTimeout(t); resolve(p); }
      } catch { /* other output */ }
    });
    void c.exited.then(() => { clearTimeout(t); reject(new Error(`${name} exited:\n${c.stderr()}`)); });
  });
  const readyMs = performance.now() - c.started;
  return { name, url: `http://127.0.0.1:${port}`, pid: c.proc.pid!, proc: c.proc, readyMs, stderr: c.stderr, stop: c.stop };
}
