// A TCP proxy between Tessera and its database, for outage tests: forward, cut (every
// connection dropped and the port closed: ECONNREFUSED, as a stopped database), blackhole
// (connections accepted and never answered: a partition or a hung server), stall (the
// open connections go silent too, as in a partition that drops packets), and restore.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'stall' | 'cut';

export class TcpProxy {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #pairs = new Set<[Socket, Socket]>();
  #mode: ProxyMode = 'forward';
  port = 0;

  constructor(readonly targetHost: string, readonly targetPort: number) {}

  /** Listens on 127.0.0.1 (a free port the first time, the same one after a cut). */
  async start(): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
    this.#mode = 'forward';
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => {});
    // Blackhole: hold the connection open, read nothing out, send nothing back.
    if (this.#mode === 'blackhole' || this.#mode === 'stall') return;
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.#sockets.add(upstream);
    upstream.on('close', () => { this.#sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => {});
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    client.on('close', () => this.#pairs.delete(pair));
  }

  #dropAll(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    this.#pairs.clear();
  }

  /** The database is gone: every connection dropped, new ones refused. */
  async cut(): Promise<void> {
    this.#mode = 'cut';
    const server = this.#server;
    this.#server = undefined;
    this.#dropAll();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /**
   * The database stops answering: existing connections dropped, new ones accepted and left
   * hanging (a client must time out on its own).
   */
  async blackhole(): Promise<void> {
    if (!this.#server) await this.start();
    this.#mode = 'blackhole';
    this.#dropAll();
  }

  /**
   * Silence without a word: open connections stay open but nothing passes either way any
   * more (no FIN, no RST), and new ones are accepted and left hanging. Only a client-side
   * timeout gets a client out.
   */
  stall(): void {
    this.#mode = 'stall';
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Back to forwarding (the same port). Connections held by a blackhole or stall are dropped. */
  async restore(): Promise<void> {
    if (this.#mode === 'blackhole' || this.#mode === 'stall') this.#dropAll();
    if (!this.#server) await this.start();
    this.#mode = 'forward';
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

/** `url` (a postgres:// URL) with its host and port replaced by the proxy's, plus extra query parameters. */
export function viaProxy(url: string, proxy: TcpProxy, params: Record<string, string> = {}): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
