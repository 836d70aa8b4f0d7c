// `tessera serve [--dev] [--tls]`: run the token server.
import type { Command } from 'commander';
import { ConfigError } from '../config/error.js';
import { isLoopbackHost } from '../config/validate.js';
import { UsageError } from './errors.js';
import { commandConfig } from './options.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the token server (the default command)')
    .option('-c, --config <file>', 'configuration file')
    .option('--dev', 'non-production IdP: create demo credentials and print curl commands')
    .option('--tls', 'with --dev: serve HTTPS with a self-signed certificate made on the fly')
    .option('--port <port>', 'override the configured port')
    .action(async (opts: { dev?: boolean; tls?: boolean; port?: string }, cmd: Command) => {
      if (opts.tls && !opts.dev) throw new UsageError('--tls is for --dev; in production set tls_cert and tls_key in the config');
      if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) throw new UsageError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(opts.port)})`);
      // Before validation: an issuer that is not configured is derived from host and port.
      const config = commandConfig(cmd, opts.port === undefined ? {} : { port: Number(opts.port) });
      // Loaded here, not at the top: admin commands need none of the server.
      const [{ createLogger }, { devBanner }, { startServer, stopOnSignals }, { resolveSecretKey }] = await Promise.all([
        import('../ops/logger.js'), import('../dev/index.js'), import('../server.js'), import('../runtime.js'),
      ]);
      // Dev credentials are printed or published: they must not be reachable from elsewhere.
      if (opts.dev && !isLoopbackHost(config.host)) {
        throw new ConfigError('host', `serve --dev listens only on a loopback address (127.0.0.1, ::1, localhost), not ${JSON.stringify(config.host)}`);
      }
      const log = createLogger(config.log_level);
      let https: { cert: Buffer; key: Buffer } | undefined;
      if (opts.tls) {
        const { selfSignedCertificate } = await import('./tls.js');
        https = await selfSignedCertificate(config.host);
        if (!config.issuer.startsWith('https:')) config.issuer = config.issuer.replace(/^http:/, 'https:');
      }
      const { isWorker, runPrimary, workerCount } = await import('../cluster.js');
      const workers = opts.dev ? 1 : workerCount(config.workers);
      if (workers > 1 && !isWorker()) {
        await runPrimary(config, log, workers);
        log.info('stopped');
        log.flush?.();
        process.exit(0);
      }
      const started = Date.now();
      const running = await startServer(config, log, {
        ...(https ? { https } : {}), ...(isWorker() ? { applyEntities: false } : {}), dev: opts.dev === true,
      });
      stopOnSignals(running, log);
      if (!isWorker()) log.info({ url: running.url, admin_url: running.adminUrl, store: running.tessera.store.kind, ms: Date.now() - started }, 'tessera ready');
      if (running.tessera.bootstrap && running.adminUrl) {
        const { bootstrapBanner } = await import('../admin/bootstrap.js');
        process.stdout.write(bootstrapBanner(running.tessera.bootstrap, `${running.url}/oauth2/token`, running.adminUrl));
      }
      if (opts.dev) {
        log.warn('DEV MODE: non-production identity provider; do not expose it');
        process.stdout.write(`${devBanner(running.tessera.config, running.url, resolveSecretKey(config, log), running.tessera.kept)}\n`);
      }
    });
}
