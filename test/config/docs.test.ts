// docs/configuration.md lists every key a client or user entry accepts (the client keys come
// from the metadata table, so a new field fails here until it is documented), with its CLI option.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLIENT_METADATA, METADATA_FIELDS } from '../../src/core/client-metadata.js';
import { CLIENT_KEYS, USER_KEYS } from '../../src/config/validate.js';
import { KEY_TYPES } from '../../src/config/schema.js';
import { REGISTRATION_DEFAULTS } from '../../src/config/registration.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const section = (title: string) => {
  const start = doc.indexOf(`## ${title}`);
  assert.ok(start >= 0, `section ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

describe('docs/configuration.md', () => {
  it('documents every client key with its CLI option', () => {
    const clients = section('Clients');
    for (const k of CLIENT_KEYS) assert.ok(clients.includes(`\`${k}\``), `client key ${k} is documented`);
    for (const k of METADATA_FIELDS) assert.ok(clients.includes(`\`${CLIENT_METADATA[k].flag}`), `option ${CLIENT_METADATA[k].flag} of ${k} is documented`);
  });

  it('documents every user key', () => {
    const users = section('Users');
    for (const k of USER_KEYS) assert.ok(users.includes(`\`${k}\``), `user key ${k} is documented`);
  });

  it('documents the registration keys', () => {
    assert.ok('registration' in KEY_TYPES);
    assert.ok(doc.includes('`registration`'));
    for (const k of Object.keys(REGISTRATION_DEFAULTS)) assert.ok(doc.includes(`\`registration.${k}\``), `registration.${k} is documented`);
    assert.ok(doc.includes('`open`'));
  });
});
