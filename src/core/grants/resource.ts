// RFC 8707 §2: a `resource` the client may not use is invalid_target.
import { invalidTarget } from '../errors.js';
import type { Client } from '../types.js';

export function checkResource(client: Client, resource: string | undefined): string | null {
  if (resource === undefined || resource === '') return null;
  if (!client.resources.includes(resource)) {
    throw invalidTarget('resource is not allowed for this client');
  }
  return resource;
}

/**
 * RFC 8707 §2.2: at the token endpoint of an earlier grant (a refresh, a code exchange) a
 * `resource` may be named; it must be allowed, and the one the grant was bound to if any.
 */
export function resourceOfGrant(client: Client, granted: string | null, asked: string | undefined): string | null {
  if (asked === undefined || asked === '') return granted;
  const resource = checkResource(client, asked);
  if (granted !== null && resource !== granted) throw invalidTarget('resource differs from the original grant');
  return resource;
}
