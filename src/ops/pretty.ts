// One JSON log line as a terminal reader wants it: time, level, message, then the fields.
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

const value = (v: unknown): string => {
  if (typeof v === 'string') return /^[\w.:/@+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return JSON.stringify(v);
};

export function prettyLine(json: string, colour = true): string {
  let o: Record<string, unknown>;
  try { o = JSON.parse(json) as Record<string, unknown>; } catch { return json; }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '--:--:--';
  const fields = Object.entries(o).filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => (k === 'err' && v && typeof v === 'object' ? `err=${value((v as { message?: unknown }).message)}` : `${k}=${value(v)}`));
  const tag = LEVELS[level] ?? String(level);
  const head = colour && COLOURS[level] ? `${COLOURS[level]}${tag}\x1b[0m` : tag;
  return `${time} ${head} ${String(o.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}
