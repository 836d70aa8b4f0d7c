// How long Tessera waits on PostgreSQL before it gives up and answers 503: a token request
// must never hang on a database that is down, cut off or stalled (a partition with no RST).
// Operators may change each in the database URL, with libpq's and node-postgres's names:
// `?connect_timeout=` (seconds), `&statement_timeout=` and `&query_timeout=` (milliseconds).

/** Opening a connection (or waiting for a free one in the pool). */
export const CONNECT_TIMEOUT_MS = 2000;
/** The server cancels a statement that runs longer (SQLSTATE 57014): every query here is a point read or write. */
export const STATEMENT_TIMEOUT_MS = 5000;
/** The client stops waiting for an answer: past the server's own limit, so a stalled network is caught too. */
export const QUERY_TIMEOUT_MS = 6000;

export interface PoolTimeouts {
  connectionTimeoutMillis: number;
  statement_timeout: number;
  query_timeout: number;
  keepAlive: boolean;
}

/**
 * Pool options for `url`. node-postgres itself lets the URL's statement_timeout and
 * query_timeout override these; connect_timeout (seconds, as libpq reads it) is read here.
 */
export function poolTimeouts(url: string): PoolTimeouts {
  let connect = CONNECT_TIMEOUT_MS;
  try {
    const v = new URL(url).searchParams.get('connect_timeout');
    // libpq: 0 means wait forever; here that would be a hang, so it keeps the default.
    if (v !== null && /^\d+$/.test(v) && Number(v) > 0) connect = Number(v) * 1000;
  } catch { /* not a URL: pg reports it when connecting */ }
  // keepAlive: TCP keepalives find a connection whose peer vanished while it sat idle.
  return { connectionTimeoutMillis: connect, statement_timeout: STATEMENT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true };
}
