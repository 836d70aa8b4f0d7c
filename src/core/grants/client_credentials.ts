// RFC 6749 §4.4: the client acts on its own behalf; no refresh token (§4.4.3).
import { grantScope } from '../scope.js';
import { profileFor } from '../profiles/index.js';
import type { Grant } from './index.js';
import { checkResource } from './resource.js';

/** Needs no store port: nothing is looked up. */
export const clientCredentialsGrant = (): Grant => ({
  type: 'client_credentials',
  params: ['scope', 'resource'],
  async handle({ client, params }) {
    // A client with no registered scopes gets its profile's default (apk: "default").
    const scope = client.scope === '' && params.scope === undefined
      ? profileFor(client).defaultScope ?? ''
      : grantScope(params.scope, client.scope);
    return { user: null, scope, resource: checkResource(client, params.resource), mayRefresh: false };
  },
});
