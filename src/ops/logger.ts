// JSON logs (pino). Secrets never reach a log line: bodies are not logged, URLs are logged
// without their query string, and these paths are redacted if anything passes them in.
import pino, { type Logger } from 'pino';

export const REDACT = [
  'password', 'client_secret', 'refresh_token', 'access_token', 'token', 'secret_key',
  '*.password', '*.client_secret', '*.refresh_token', '*.access_token', '*.token',
  'req.headers.authorization', 'headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'tessera', pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, destination ?? pino.destination({ sync: false }));
}
