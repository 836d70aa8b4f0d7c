// Role-gated scopes (core/scope.ts heldScope): the admin scope reaches a user's token only
// when the user holds the role of the same name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heldScope } from '../../src/core/scope.js';

describe('role-gated scopes', () => {
  it('leaves the admin scope out for a user without the role, refuses it when asked, keeps it for a holder and for client tokens', () => {
    assert.equal(heldScope('read tessera:admin', { roles: [] }, undefined), 'read');
    assert.throws(() => heldScope('read tessera:admin', { roles: ['user'] }, 'tessera:admin'), /invalid_scope|only granted to users holding the role tessera:admin/);
    assert.equal(heldScope('read tessera:admin', { roles: ['tessera:admin'] }, 'tessera:admin'), 'read tessera:admin');
    assert.equal(heldScope('read tessera:admin', null, 'tessera:admin'), 'read tessera:admin');
    assert.equal(heldScope('read', { roles: [] }, 'read'), 'read');
  });
});
