// JSON logs (pino). Secrets never reach a log line: bodies are not logged, URLs are logged
// without their query string, and these paths are redacted if anything passes them in.
// On a terminal the lines are printed readably instead (ops/pretty.ts); a reader that goes
// away (`tessera serve | head`) stops the logging, never the server.
import pino, { type Logger } from 'pino';
import { prettyLine } from './pretty.js';

export const REDACT = [
  'password', 'client_secret', 'refresh_token', 'access_token', 'token', 'secret_key',
  '*.password', '*.client_secret', '*.refresh_token', '*.access_token', '*.token',
  'req.headers.authorization', 'headers.authorization',
];

/** stdout for the logs: readable on a terminal, JSON otherwise; silent once its reader is gone. */
export function stdoutDestination(): pino.DestinationStream {
  quietOnClosedStdout();
  if (process.stdout.isTTY) return { write: (line: string) => { if (!stdoutClosed) process.stdout.write(prettyLine(line)); } };
  const dest = pino.destination({ sync: false });
  let broken = false;
  // EPIPE (and any other write error) ends logging: retrying or throwing would keep a
  // stopping server alive or crash a running one over a log line.
  dest.on('error', () => { broken = true; });
  return { write: (line: string) => { if (!broken) dest.write(line); } };
}

let stdoutClosed = false;
let watching = false;
/** Writes to a closed stdout (the dev banner, a pretty line) are dropped instead of crashing. */
function quietOnClosedStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', () => { stdoutClosed = true; });
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'tessera', pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, destination ?? stdoutDestination());
}
