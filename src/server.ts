// Starting and stopping the HTTP server: listen (HTTPS when tls_cert/tls_key are set),
// and on SIGTERM/SIGINT stop accepting, let in-flight requests finish, close the store.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { buildAdminApp } from './admin/app.js';
import { buildApp } from './http/app.js';
import { openTessera, type OpenOptions, type Tessera } from './runtime.js';

export interface Running {
  app: FastifyInstance;
  tessera: Tessera;
  url: string;
  /** The admin listener (admin/app.ts); null with `admin: false`. */
  adminApp: FastifyInstance | null;
  adminUrl: string | null;
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: Logger,
  opts: OpenOptions & { https?: { cert: Buffer; key: Buffer }; beforeListen?: (t: Tessera) => Promise<void> } = {},
): Promise<Running> {
  const tessera = await openTessera(config, log, opts);
  try {
    if (opts.beforeListen) await opts.beforeListen(tessera);
    const https = opts.https ?? (config.tls_cert && config.tls_key
      ? { cert: readFileSync(config.tls_cert), key: readFileSync(config.tls_key) }
      : undefined);
    const app = await buildApp(tessera, https ? { https } : {});
    const adminApp = config.admin ? await buildAdminApp(tessera, https ? { https } : {}) : null;
    const listen = async (a: FastifyInstance, hostName: string, port: number) => {
      await a.listen({ host: hostName, port });
      const addr = a.server.address();
      const host = hostName.includes(':') ? `[${hostName}]` : hostName;
      return `${https ? 'https' : 'http'}://${host}:${typeof addr === 'object' && addr ? addr.port : port}`;
    };
    let url: string;
    let adminUrl: string | null = null;
    try {
      url = await listen(app, config.host, config.port);
      if (adminApp) adminUrl = await listen(adminApp, config.admin_host, config.admin_port);
    } catch (e) {
      await Promise.all([app.close(), adminApp?.close()]);
      // Its secret would never be printed: the next start that listens makes a new one.
      if (tessera.bootstrap) await tessera.store.clients.delete(tessera.bootstrap.client_id);
      throw e;
    }
    let stopping: Promise<void> | undefined;
    const close = async (a: FastifyInstance) => {
      // Stop accepting; wait for in-flight requests. A keep-alive connection that was busy
      // when closing began becomes idle once its response is out: sweep those as they free up.
      const sweep = setInterval(() => a.server.closeIdleConnections(), 50);
      try {
        await a.close();
      } finally {
        clearInterval(sweep);
      }
    };
    const stop = () => (stopping ??= (async () => {
      await Promise.all([close(app), adminApp ? close(adminApp) : undefined]);
      await tessera.close();
    })());
    return { app, tessera, url, adminApp, adminUrl, stop };
  } catch (e) {
    await tessera.close();
    throw e;
  }
}

/** Seconds a stop may take before the process exits anyway (docs/operations.md). */
export const STOP_DEADLINE_SECONDS = 10;

/**
 * The last resort behind the deadline: a thread of its own that kills the process even when
 * the main thread never returns to its event loop (a blocked write, a busy loop).
 */
function startWatchdog(ms: number): void {
  const w = new Worker(
    'const { workerData } = require("node:worker_threads");' +
    'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);' +
    'process.kill(workerData.pid, "SIGKILL");',
    { eval: true, workerData: { ms, pid: process.pid } },
  );
  w.unref();
}

/** SIGTERM/SIGINT: graceful stop, then exit; within STOP_DEADLINE_SECONDS whatever happens. */
export function stopOnSignals(running: Running, log: Logger): void {
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => { log.error(`shutdown took over ${STOP_DEADLINE_SECONDS} s; exiting`); process.exit(1); }, STOP_DEADLINE_SECONDS * 1000);
    force.unref();
    startWatchdog(STOP_DEADLINE_SECONDS * 1000 + 1000);
    running.stop().then(() => { log.info('stopped'); log.flush?.(); process.exit(0); }, (e: unknown) => {
      log.error({ err: e }, 'error while stopping');
      process.exit(1);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
