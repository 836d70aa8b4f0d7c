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
