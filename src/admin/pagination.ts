// Pages of a list: `limit` items after the opaque `cursor` (the last sort key of the
// previous page). Lists are read whole from the store and paged here (in memory): fine for
// the thousands of clients and users an installation has, not for millions.
import { badField } from './problem.js';

export interface Page<T> { items: T[]; next_cursor: string | null }

export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor.length === 0 || encodeCursor(key) !== cursor) throw badField('querystring:/cursor', 'is not a cursor this API returned');
  return key;
}

/** Sorted by `key` in code-unit order; the page after `cursor`. */
export function paginate<T>(items: readonly T[], key: (t: T) => string, limit: number, cursor: string | undefined): Page<T> {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const start = after === undefined ? 0 : sorted.findIndex((t) => key(t) > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  const pageItems = rest.slice(0, limit);
  return { items: pageItems, next_cursor: rest.length > limit ? encodeCursor(key(pageItems.at(-1)!)) : null };
}

/** `?q=`: a case-insensitive substring of any of the given fields. */
export const matches = (q: string | undefined, ...fields: (string | null)[]): boolean =>
  q === undefined || fields.some((f) => f !== null && f.toLowerCase().includes(q.toLowerCase()));
