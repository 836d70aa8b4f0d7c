// Client fixtures derived from the metadata table: a new field needs no edit here.
import { defaultValue, METADATA_FIELDS, nonDefaultValue, type MetadataField } from '../../src/core/client-metadata.js';
import type { Client } from '../../src/core/types.js';

/** A confidential client_credentials client with every other field at its default. */
export function testClient(client_id: string, o: Partial<Client> = {}, now = 0): Client {
  const metadata = Object.fromEntries(METADATA_FIELDS.map((k) => [k, defaultValue(k)])) as Pick<Client, MetadataField>;
  return {
    ...metadata,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: 'jwt',
    client_id,
    client_secret_hash: null,
    managed_by: null,
    tokens_not_before: null,
    locked_until: null,
    created_at: now,
    updated_at: now,
    client_secret_expires_at: null,
    registration_access_token_hash: null,
    last_used_at: null,
    ...o,
  };
}

/** Every metadata field set to a value other than its default. */
export function everyFieldSet(): Pick<Client, MetadataField> {
  return Object.fromEntries(METADATA_FIELDS.map((k) => [k, nonDefaultValue(k)])) as Pick<Client, MetadataField>;
}
