// What a dialect is: a declared value handed to the app (http/app.ts mounts it). It names
// its routes (each reads a request into a core call and shapes the answer), its error
// body, how the standard token endpoint answers its clients, and the built-in clients it
// needs. A dialect writes nothing to the store: built-in clients are applied at start with
// the config's entities (entities.ts), and exist only while the dialect is enabled.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig, Config, DialectName } from '../config/schema.js';
import type { ErrorFormatter } from '../http/errors.js';
import type { Method } from '../http/routes/methods.js';
import type { TokenBodyShaper } from '../http/routes/token.js';
import type { Tessera } from '../runtime.js';

export type DialectHandler = (t: Tessera, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface DialectRoute {
  method: Method | readonly Method[];
  url: string;
  handler: DialectHandler;
}

export interface Dialect {
  readonly name: DialectName;
  readonly routes: readonly DialectRoute[];
  /** The dialect's error body on its routes; the RFC 6749 §5.2 body when absent. */
  readonly formatError?: ErrorFormatter;
  /** How POST /oauth2/token answers a client whose `profile` is this dialect. */
  readonly standardEndpointBody?: TokenBodyShaper;
  /** Clients the dialect brings; usable only on its own routes (client-auth checks `via`). */
  readonly builtInClients?: (config: Config) => ClientConfig[];
}
