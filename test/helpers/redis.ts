// Redis for tests. Shared counters use the machine's Redis (TESSERA_TEST_REDIS_URL, default
// 127.0.0.1:6379; .ci/run starts it when it is down) with a random key prefix per suite.
// Outage tests start a private redis-server on a free port and stop it: the machine's own
// Redis is never stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const redisUrl = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const testPrefix = () => `tessera-test:${randomBytes(6).toString('hex')}:`;

/** `preferred` if it is free on 127.0.0.1, else (or with 0) any free port. */
export async function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => (preferred !== 0 && e.code === 'EADDRINUSE' ? resolve(freePort(0)) : reject(e)));
    s.listen(preferred, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: an outage, not a shutdown. */
  kill(): Promise<void>;
  /** Start again on the same port. */
  restart(): Promise<void>;
}

async function waitForPing(url: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch {
      r.disconnect();
      if (Date.now() > until) throw new Error(`redis at ${url} did not start`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPing(url);
  };
  await start();
  return {
    url, port,
    kill: async () => {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((res) => { c.once('exit', () => res()); c.kill('SIGKILL'); });
    },
    restart: start,
  };
}
