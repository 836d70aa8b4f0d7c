// Load from wrk (a C load generator, Debian package `wrk`) in its own process, for rows where
// autocannon in this one Node process would saturate before the servers do. POST bodies and
// headers come from a Lua script written to a temporary file; the script also counts
// responses by status and prints one JSON line at the end (requests, duration, statuses and
// the latency percentiles of wrk's own histogram, what `--latency` prints as text).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest, LoadResult } from './load.js';

let present: boolean | undefined;

/** Whether a `wrk` binary runs on this machine. */
export function hasWrk(): boolean {
  if (present === undefined) {
    // `wrk --version` prints its banner and exits 1; a missing binary is a spawn error.
    const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    present = r.error === undefined && /^wrk /m.test(`${r.stdout}${r.stderr}`);
  }
  return present;
}

export const WRK_MISSING = 'wrk is not installed (Debian: apt-get install -y wrk); the wrk rows were skipped';

const lua = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The Lua script of one fixed request; `response` counts statuses per thread, `done` sums them. */
export function wrkScript(req: HttpRequest): string {
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`);
  return `wrk.method = ${lua(req.method)}
wrk.path = ${lua(req.path)}
${req.body !== undefined ? `wrk.body = ${lua(req.body)}` : ''}
${headers.join('\n')}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%d":%d', k, v)) end
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
`;
}

interface WrkJson {
  requests: number; duration_us: number; connect_errors: number; read_errors: number; write_errors: number; timeouts: number;
  p50_us: number; p99_us: number; statuses: Record<string, number>;
}

/** Requests/s from wrk's text ("Requests/sec: 1234.5"), a cross-check of the JSON line. */
export const parseRequestsPerSec = (text: string): number | null => {
  const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
  return m ? Number(m[1]) : null;
};

/**
 * One wrk run of `durationS` seconds (after `warmupS` of unmeasured load) against `url`.
 * Only status 200 counts towards requests/s; every other status, and socket errors and
 * timeouts, are errors.
 */
export async function runWrk(url: string, req: HttpRequest, opts: { connections: number; threads?: number; durationS: number; warmupS?: number }): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, wrkScript(req));
  const threads = Math.max(1, Math.min(opts.threads ?? 2, opts.connections));
  const run = (seconds: number) => new Promise<string>((resolve, reject) => {
    const args = ['-t', String(threads), '-c', String(opts.connections), '-d', `${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '--latency', '-s', script, url];
    execFile('wrk', args, { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`wrk failed: ${err.message} ${stderr}`)) : resolve(stdout)));
  });
  try {
    if (opts.warmupS) await run(opts.warmupS);
    const out = await run(opts.durationS);
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result line:\n${out}`);
    const j = JSON.parse(line.slice('WRK_RESULT '.length)) as WrkJson;
    const statuses: Record<number, number> = {};
    for (const [k, v] of Object.entries(j.statuses)) statuses[Number(k)] = v;
    const ok = statuses[200] ?? 0;
    const durationS = j.duration_us / 1e6;
    const socketErrors = j.connect_errors + j.read_errors + j.write_errors + j.timeouts;
    const errors = j.requests - ok + socketErrors;
    const other = Object.entries(statuses).filter(([k]) => k !== '200').map(([k, v]) => `${v} × ${k}`);
    const result: LoadResult = {
      connections: opts.connections, durationS, ok, rps: ok / durationS,
      p50: Math.round(j.p50_us / 100) / 10, p99: Math.round(j.p99_us / 100) / 10, errors, statuses,
    };
    if (other.length || socketErrors) result.sampleError = [...other, ...(socketErrors ? [`${socketErrors} socket errors/timeouts`] : [])].join(', ');
    const text = parseRequestsPerSec(out);
    if (text !== null && Math.abs(text - j.requests / durationS) > 0.05 * text) throw new Error(`wrk's JSON line (${j.requests} requests) disagrees with its text (${text}/s)`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
