// The client address behind proxies (src/http/client-ip.ts), as an attacker would try it:
// headers from untrusted peers, spoofed left-hand hops, garbage, both headers at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp, clientIp, forwardedFor, parseCidr, subnetKey, TrustedProxies, xForwardedFor } from '../../src/http/client-ip.js';

const none = new TrustedProxies([]);
const local = new TrustedProxies(['127.0.0.1']);
const chain = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '2001:db8:ffff::/48']);

describe('client IP', () => {
  it('canonical addresses: IPv4-mapped IPv6 is IPv4, IPv6 compressed lower case, zones dropped, garbage undefined', () => {
    assert.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalIp('::FFFF:7f00:2'), '127.0.0.2');
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
    assert.equal(canonicalIp('192.0.2.1'), '192.0.2.1');
    for (const bad of ['', 'unknown', '01.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4:80', '[::1]', 'localhost', '::g']) {
      assert.equal(canonicalIp(bad), undefined, bad);
    }
  });

  it('IPv6 addresses share a bucket per /64; IPv4 per address', () => {
    assert.equal(subnetKey('2001:db8:1:2:aaaa::1'), subnetKey('2001:db8:1:2:bbbb::9'));
    assert.notEqual(subnetKey('2001:db8:1:2::1'), subnetKey('2001:db8:1:3::1'));
    assert.equal(subnetKey('::1'), '0:0:0:0::/64');
    assert.equal(subnetKey('192.0.2.1'), '192.0.2.1');
  });

  it('CIDRs: IPv4, IPv6, single addresses, IPv4-mapped blocks; bad prefixes refused', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('2001:DB8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
    assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', 'example.com', '10.0.0.0/-1', '::ffff:10.0.0.0/95', '']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
    assert.throws(() => new TrustedProxies(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
  });

  it('the socket address, normalised, when the peer is not trusted: headers change nothing', () => {
    const spoof = { 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6' };
    assert.equal(clientIp('::ffff:192.0.2.7', spoof, none), '192.0.2.7');
    assert.equal(clientIp('192.0.2.7', spoof, local), '192.0.2.7');
    assert.equal(clientIp('2001:db8::7', spoof, local), '2001:db8::7');
  });

  it('X-Forwarded-For from a trusted peer names the client; a left-hand spoofed hop is ignored', () => {
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '192.0.2.7' }, local), '192.0.2.7');
    assert.equal(clientIp('::ffff:127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 192.0.2.7' }, local), '192.0.2.7');
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '192.0.2.7:4711' }, local), '192.0.2.7');
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '[2001:db8::1]:4711' }, local), '2001:db8::1');
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '::ffff:192.0.2.7' }, local), '192.0.2.7');
    // Two header lines are one list (Node joins them, RFC 9110 §5.3).
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '192.0.2.7'] }, local), '192.0.2.7');
  });

  it('a chain of proxies is read from the right, skipping trusted hops', () => {
    const xff = '6.6.6.6, 192.0.2.7, 10.1.2.3, 10.9.9.9';
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': xff }, chain), '192.0.2.7');
    // Only the peer trusted: the next hop (a proxy we do not know) is the client.
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': xff }, local), '10.9.9.9');
    assert.equal(clientIp('127.0.0.1', { forwarded: 'for=6.6.6.6, for="[2001:db8::5]", for="[2001:db8:ffff::1]:80"' }, chain), '2001:db8::5');
    // Every hop trusted: the client is inside; the leftmost is it.
    assert.equal(clientIp('10.0.0.1', { 'x-forwarded-for': '10.0.0.5, 10.0.0.9' }, chain), '10.0.0.5');
  });

  it('Forwarded (RFC 7239): quoted IPv6 with a port, parameters, case, several elements', () => {
    assert.equal(clientIp('127.0.0.1', { forwarded: 'for="[2001:db8::1]:4711"' }, local), '2001:db8::1');
    assert.equal(clientIp('127.0.0.1', { forwarded: 'For=192.0.2.60;proto=http;by=203.0.113.43' }, local), '192.0.2.60');
    assert.equal(clientIp('127.0.0.1', { forwarded: 'for=6.6.6.6;proto="a,b;c", for=198.51.100.17' }, local), '198.51.100.17');
    assert.deepEqual(forwardedFor('for=192.0.2.43, for="[2001:db8:cafe::17]:4711", ,for=x'), ['192.0.2.43', '[2001:db8:cafe::17]:4711', 'x']);
    assert.deepEqual(xForwardedFor(' 1.2.3.4 ,, 5.6.7.8 '), ['1.2.3.4', '5.6.7.8']);
  });

  it('malformed headers, unknown or obfuscated hops give the socket address', () => {
    const bad = [
      { 'x-forwarded-for': 'not-an-ip' },
      { 'x-forwarded-for': '192.0.2.7, garbage' },
      { 'x-forwarded-for': '' },
      { 'x-forwarded-for': '1.2.3.4.5' },
      { forwarded: 'for="unterminated' },
      { forwarded: 'for=unknown' },
      { forwarded: 'for=_hidden' },
      { forwarded: 'for=1.2.3.4;for=5.6.7.8' }, // a parameter twice in one element
      { forwarded: 'proto=https' }, // no `for`
      { forwarded: 'for 1.2.3.4' },
      { forwarded: 'for=1.2.3.4 junk' },
      { forwarded: 'for=[2001:db8::1]' }, // `[` is not a token character: must be quoted
    ];
    for (const h of bad) assert.equal(clientIp('127.0.0.1', h, local), '127.0.0.1', JSON.stringify(h));
    // Garbage left of the hop the proxy wrote is never read.
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': 'garbage, 192.0.2.7' }, local), '192.0.2.7');
  });

  it('both headers: believed only when they name the same client (a proxy writes one; the other came from the client)', () => {
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '192.0.2.7', forwarded: 'for=192.0.2.7' }, local), '192.0.2.7');
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '192.0.2.7', forwarded: 'for=6.6.6.6' }, local), '127.0.0.1');
    assert.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '192.0.2.7', forwarded: 'for="garbage' }, local), '127.0.0.1');
  });

  it('no header from a trusted peer: the peer itself', () => {
    assert.equal(clientIp('127.0.0.1', {}, local), '127.0.0.1');
    assert.equal(clientIp(undefined, {}, local), '');
  });
});
