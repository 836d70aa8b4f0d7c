// The page renderer escapes every interpolation; sealed forms expire and stay bound to
// their browser's CSRF cookie.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, escapeHtml, Html } from '../../src/web/render.js';
import { FormSeal } from '../../src/web/seal.js';

describe('render', () => {
  it('escapes text and attribute values; only Html is inserted as is', () => {
    const t = compile('<p title="{{a}}">{{b}}</p>{{c}}');
    assert.equal(t({ a: `"><x '`, b: '<script>&', c: new Html('<i>ok</i>') }).value, '<p title="&quot;&gt;&lt;x &#39;">&lt;script&gt;&amp;</p><i>ok</i>');
    assert.equal(escapeHtml('`'), '&#96;');
    assert.throws(() => t({ a: 'x' }), /no value for b/);
  });
  it('places messages at compile time, escaped, with their variables', () => {
    const t = compile('<h1>{{m:login_heading}}</h1>');
    assert.equal(t({ client: '<App>' }).value, '<h1>Sign in to &lt;App&gt;</h1>');
    assert.throws(() => compile('{{m:nope}}'), /unknown message/);
  });
});

describe('FormSeal', () => {
  const seal = new FormSeal('a-secret-key-a-secret-key-0123456789abcd');
  it('opens only with the same CSRF cookie, before its expiry, untampered', () => {
    const s = seal.seal({ k: 'login', r: 1 }, 'cookie-a', 1000);
    assert.deepEqual(seal.open(s, 'cookie-a', 1000), { k: 'login', r: 1 });
    assert.equal(seal.open(s, 'cookie-a', 1001), null, 'expired');
    assert.equal(seal.open(s, 'cookie-b', 900), null, 'another browser');
    assert.equal(seal.open(`${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`, 'cookie-a', 900), null, 'tampered');
    assert.equal(new FormSeal('another-secret-key-another-secret-key-01').open(s, 'cookie-a', 900), null, 'another secret key');
    assert.equal(seal.open(undefined, 'cookie-a', 900), null);
  });
  it('CSRF tokens are per cookie and checked in constant time', () => {
    const t = seal.csrfToken('cookie-a');
    assert.ok(seal.checkCsrf('cookie-a', t));
    assert.ok(!seal.checkCsrf('cookie-b', t));
    assert.ok(!seal.checkCsrf(undefined, t));
    assert.ok(!seal.checkCsrf('cookie-a', undefined));
    assert.ok(!seal.checkCsrf('cookie-a', `${t}x`));
  });
});
