// One load run with autocannon, driven from this process. Every response is checked (status
// 200 and the expected token in the body); a response that fails the check is an error and
// never counts towards requests/s.
import autocannon, { type Request } from 'autocannon';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  connections: number;
  /** Request of one connection (`slot` = 0..connections-1). Called once unless `dynamic`. */
  request(slot: number): HttpRequest;
  /** Rebuild the request before every send (a refresh chain: each uses the last token). */
  dynamic?: boolean;
  /**
   * Whether a response is a success; may record state for the connection's next request.
   * `'step'`: an intermediate response of a multi-request sequence (a redirect to follow),
   * neither a success nor an error.
   */
  check(status: number, body: string, slot: number, headers: Record<string, string | string[]>): boolean | 'step';
  /** Runs before the warm-up and before the measured run, with the connection count. */
  prepare?(connections: number): Promise<void>;
}

export interface LoadResult {
  connections: number;
  durationS: number;
  ok: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses by HTTP status (a 429 or 503 count is what some scenarios check). */
  statuses: Record<number, number>;
  sampleError?: string;
}

export async function runLoad(url: string, spec: LoadSpec, durationS: number, warmupS: number): Promise<LoadResult> {
  if (warmupS > 0) await once(url, spec, warmupS);
  return once(url, spec, durationS);
}

async function once(url: string, spec: LoadSpec, durationS: number): Promise<LoadResult> {
  if (spec.prepare) await spec.prepare(spec.connections);
  let ok = 0;
  let bad = 0;
  let sampleError: string | undefined;
  let nextSlot = 0;
  const statuses: Record<number, number> = {};
  const onResponse = (slot: number) => (status: number, body: string, _context: unknown, headers: Record<string, string | string[]>) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    const verdict = spec.check(status, body, slot, headers ?? {});
    if (verdict === 'step') return;
    if (verdict) ok++;
    else {
      bad++;
      sampleError ??= `${status} ${String(body).slice(0, 160)}`;
    }
  };
  const result = await autocannon({
    url,
    connections: spec.connections,
    duration: durationS,
    timeout: 10,
    setupClient: (client) => {
      const slot = nextSlot++ % spec.connections;
      const r: Request = spec.dynamic
        ? { ...spec.request(slot), setupRequest: (req) => ({ ...req, ...spec.request(slot) }), onResponse: onResponse(slot) }
        : { ...spec.request(slot), onResponse: onResponse(slot) };
      client.requestIterator.setRequests([r]);
    },
  });
  const errors = bad + result.errors + result.timeouts;
  const out: LoadResult = {
    connections: spec.connections,
    durationS: result.duration,
    ok,
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    statuses,
  };
  if (result.errors + result.timeouts > 0) sampleError ??= `${result.errors} connection errors, ${result.timeouts} timeouts`;
  if (sampleError) out.sampleError = sampleError;
  return out;
}

/** A form body. */
export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const FORM = 'application/x-www-form-urlencoded';

/** status 200 and a non-empty access_token in the JSON body. */
export const hasAccessToken = (status: number, body: string): boolean =>
  status === 200 && body.includes('"access_token":"') && !body.includes('"access_token":""');

/**
 * Several runs of one server as one: requests/s over the whole time, p50 the mean and p99
 * the worst of the runs, errors and statuses summed.
 */
export function mergeResults(rs: LoadResult[]): LoadResult {
  const ok = rs.reduce((a, r) => a + r.ok, 0);
  const dur = rs.reduce((a, r) => a + r.durationS, 0);
  const statuses: Record<number, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.statuses)) statuses[Number(k)] = (statuses[Number(k)] ?? 0) + v;
  const sampleError = rs.find((r) => r.sampleError)?.sampleError;
  return {
    connections: rs[0]!.connections, durationS: dur, ok, rps: ok / dur,
    p50: Math.round(rs.reduce((a, r) => a + r.p50, 0) / rs.length), p99: Math.max(...rs.map((r) => r.p99)),
    errors: rs.reduce((a, r) => a + r.errors, 0), statuses, ...(sampleError ? { sampleError } : {}),
  };
}

/** "200: 5123, 503: 12" */
export const statusSummary = (s: Record<number, number>): string =>
  Object.entries(s).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
