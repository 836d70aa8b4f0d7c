// `workers: N | auto` — several processes sharing one port (node:cluster), each a full
// stateless Tessera on the one database. The primary prepares the database once, forks the
// workers, restarts one that dies, answers /metrics for all of them and forwards SIGTERM.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from './config/schema.js';

const METRICS_REQUEST = 'tessera:metrics';
const METRICS_REPLY = 'tessera:metrics:reply';

export function workerCount(setting: Config['workers']): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

export const isWorker = (): boolean => cluster.isWorker;

/** Runs in the primary process; resolves when every worker has stopped. */
export async function runPrimary(config: Config, log: Logger, count: number): Promise<void> {
  // Migrations, the config's entities and the first signing keys, once, before any worker
  // starts: workers then open the database without racing each other.
  const { openTessera } = await import('./runtime.js');
  const prepared = await openTessera(config, log);
  await prepared.close();
  if (prepared.bootstrap) {
    const { bootstrapBanner } = await import('./admin/bootstrap.js');
    const at = (host: string, port: number) => `${config.tls_cert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    process.stdout.write(bootstrapBanner(prepared.bootstrap, `${config.issuer}/oauth2/token`, at(config.admin_host, config.admin_port)));
  }

  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let listening = 0;
  const started = Date.now();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: msg.id, text }),
      (e: Error) => worker.send({ type: METRICS_REPLY, id: msg.id, error: e.message }),
    );
  });
  cluster.on('listening', (_w, addr) => {
    if (++listening === count) log.info({ workers: count, port: addr.port, ms: Date.now() - started }, 'tessera ready (cluster)');
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    cluster.fork();
  });
  for (let i = 0; i < count; i++) cluster.fork();

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping workers');
      const workers = Object.values(cluster.workers ?? {});
      let left = workers.length;
      if (left === 0) resolve();
      for (const w of workers) {
        w?.once('exit', () => { if (--left === 0) resolve(); });
        w?.process.kill('SIGTERM');
      }
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** In a worker: answer this worker's share when the primary aggregates. */
export function shareMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // prom-client attaches the worker's answering listener only when one is constructed.
  new AggregatorRegistry();
}

let nextId = 0;

/** In a worker: the metrics of every worker, aggregated by the primary. */
export function clusterMetrics(timeoutMs = 5000): Promise<string> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type?: string; id?: number; text?: string; error?: string }) => {
      if (msg?.type !== METRICS_REPLY || msg.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (msg.error !== undefined || msg.text === undefined) reject(new Error(msg.error ?? 'no metrics'));
      else resolve(msg.text);
    };
    const timer = setTimeout(() => { process.off('message', onMessage); reject(new Error('metrics aggregation timed out')); }, timeoutMs);
    process.on('message', onMessage);
    process.send?.({ type: METRICS_REQUEST, id });
  });
}
