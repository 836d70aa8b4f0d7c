// Problems the operator fixes, reported as one line on stderr with exit code 2 (cli/main.ts).

/** A mistake on the command line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A listen() failure the operator fixes (port taken, no permission, no such address), in words. */
export function listenProblem(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err?.syscall !== 'listen' && err?.syscall !== 'bind') return undefined;
  const where = `${err.address ?? 'the configured host'}:${err.port ?? '?'}`;
  switch (err.code) {
    case 'EADDRINUSE': return `${where} is already in use: stop what listens there, or choose another port (serve --port N or port: for the token endpoints, admin_port: for the admin listener)`;
    case 'EACCES': return `no permission to listen on ${where}: ports below 1024 need privileges; choose a port above 1023`;
    case 'EADDRNOTAVAIL': return `${where}: this machine has no such address; set host to one of its addresses (127.0.0.1, 0.0.0.0)`;
    default: return undefined;
  }
}
