// Which store failures mean "the database cannot be reached, or cannot write, right now":
// the caller should retry (503 + Retry-After), the operator should look at the database,
// and nothing about the request was wrong. Everything else a store throws is a bug (500).
// One place for both drivers, so the HTTP error handler and /readyz judge alike.

/** Seconds a client is told to wait (Retry-After, RFC 9110 §10.2.3) while the store is down. */
export const STORE_RETRY_AFTER_SECONDS = 5;

// Socket-level failures reaching PostgreSQL (node's errno codes).
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH',
  'ENETDOWN', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs (Appendix A of its manual): class 08 connection exception, class 53
 * insufficient resources (disk full, out of memory, too many connections), class 58 system
 * (I/O) error, 57P01-57P03 shutting down / starting up, 57014 a statement cancelled by
 * statement_timeout, 25006 a read-only transaction (a standby after failover).
 */
const SQLSTATE = /^(08...|53...|58...|57P0[123]|57014|25006)$/;

// node-postgres and pg-pool report a lost or slow connection by message only.
const PG_MESSAGES = [
  /^Connection terminated/, // unexpectedly, or due to connection timeout
  /^timeout exceeded when trying to connect$/, // pool: no connection within connectionTimeoutMillis
  /^Query read timeout$/, // query_timeout
  /^Client has encountered a connection error and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/, // shutting down
];

/**
 * SQLite result codes (sqlite.org/rescode.html) that are the disk or a lock, not the data:
 * full, busy past busy_timeout, locked, I/O error, cannot open, read-only file system, no memory.
 */
const SQLITE_CODE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL)(_|$)/;

/** The errors to look at: `e`, its causes, and an AggregateError's members (happy eyeballs). */
function* chain(e: unknown, depth = 0): Generator<{ code?: unknown; message?: unknown }> {
  if (depth > 4 || typeof e !== 'object' || e === null) return;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  yield err;
  if (err.cause !== undefined) yield* chain(err.cause, depth + 1);
  if (Array.isArray(err.errors)) for (const x of err.errors.slice(0, 4)) yield* chain(x, depth + 1);
}

/**
 * A short description (code and message, no query text or parameters) when `e` means the
 * store is unavailable; undefined for any other error.
 */
export function storeUnavailable(e: unknown): string | undefined {
  for (const err of chain(e)) {
    const code = typeof err.code === 'string' ? err.code : '';
    const message = typeof err.message === 'string' ? err.message.slice(0, 200) : '';
    if (NETWORK_CODES.has(code) || SQLSTATE.test(code) || SQLITE_CODE.test(code) || PG_MESSAGES.some((m) => m.test(message))) {
      return code ? `${code}: ${message}` : message;
    }
  }
  return undefined;
}
