// The HTTP(S) server under Fastify, built so slow or numerous connections cannot crowd out
// others (slowloris): a client has `http_headers_timeout` to send its headers and
// `http_request_timeout` for the whole request, or gets 408 and is closed; an idle
// keep-alive connection closes after `http_keep_alive_timeout`; at most `max_connections`
// are open, and at most `max_connections_per_ip` from one address (trusted proxies exempt:
// every client behind one arrives from its address).
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Config } from '../config/schema.js';
import { canonicalIp, subnetKey, type TrustedProxies } from './client-ip.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type ConnectionLimits = Pick<Config,
  'http_headers_timeout' | 'http_request_timeout' | 'http_keep_alive_timeout' | 'max_connections' | 'max_connections_per_ip'>;

export function createHttpServer(
  handler: Handler,
  limits: ConnectionLimits,
  proxies: TrustedProxies,
  https?: { cert: Buffer; key: Buffer },
): Server {
  const headersMs = limits.http_headers_timeout * 1000;
  const requestMs = limits.http_request_timeout * 1000;
  const options: ServerOptions = {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: limits.http_keep_alive_timeout * 1000,
    // Node checks the two timeouts on this interval (default 30 s, which would let a slow
    // client hold a socket up to 30 s past its timeout).
    connectionsCheckingInterval: Math.min(1000, Math.max(100, headersMs / 4)),
  };
  // A TLS handshake is bounded like the headers that follow it.
  const server: Server = https
    ? createHttpsServer({ ...options, ...https, handshakeTimeout: headersMs }, handler)
    : createServer(options, handler);
  server.keepAliveTimeout = limits.http_keep_alive_timeout * 1000;
  if (limits.max_connections > 0) server.maxConnections = limits.max_connections;
  if (limits.max_connections_per_ip > 0) capPerAddress(server, limits.max_connections_per_ip, proxies);
  return server;
}

/** Closes a new connection at once when its address (an IPv6 /64) already holds `cap`. */
function capPerAddress(server: Server, cap: number, proxies: TrustedProxies): void {
  const open = new Map<string, number>();
  // Ahead of the server's own listener: a refused socket never gets a parser or a TLS handshake.
  server.prependListener('connection', (socket: Socket) => {
    const ip = canonicalIp(socket.remoteAddress ?? '');
    if (ip === undefined || proxies.has(ip)) return;
    const key = subnetKey(ip);
    const n = open.get(key) ?? 0;
    if (n >= cap) {
      socket.destroy();
      return;
    }
    open.set(key, n + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
