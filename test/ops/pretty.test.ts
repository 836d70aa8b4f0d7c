import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLine } from '../../src/ops/pretty.js';

describe('terminal log lines (ops/pretty.ts)', () => {
  it('prints time, level, message and the fields, without pid/hostname noise', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 1, service: 'tessera', msg: 'tessera ready', url: 'http://127.0.0.1:8080', store: 'sqlite', ms: 12 });
    assert.equal(prettyLine(line, false), '03:04:05 INFO  tessera ready  url=http://127.0.0.1:8080 store=sqlite ms=12\n');
  });
  it('quotes values with spaces, shows an error by its message, colours warnings only when asked', () => {
    const line = JSON.stringify({ level: 40, time: 0, msg: 'key reload failed', err: { message: 'db down', stack: 'x' }, note: 'two words' });
    assert.equal(prettyLine(line, false), '00:00:00 WARN  key reload failed  err="db down" note="two words"\n');
    assert.match(prettyLine(line, true), /\x1b\[33mWARN \x1b\[0m/);
  });
  it('passes a line that is not JSON through as it is', () => {
    assert.equal(prettyLine('plain text\n', false), 'plain text\n');
  });
});
