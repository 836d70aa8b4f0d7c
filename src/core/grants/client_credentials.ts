// RFC 6749 §4.4: the client acts on its own behalf; no refresh token (§4.4.3).
import { grantScope } from '../scope.js';
import { profileFor } from '../profiles/index.js';
import type { Grant } from './index.js';
import { checkResource } from './resource.js';

export const clientCredentialsGrant: Grant = {
  type: 'client_credentials',
  params: ['scope', 'resource'],
  async handle({ client, params }) {
    const fallback = client.scope === '' ? profileFor(client).defaultScope ?? '' : client.scope;
    const scope = client.scope === '' && params.scope === undefined ? fallback : grantScope(params.scope, client.scope);
    return { user: null, scope, resource: checkResource(client, params.resource), mayRefresh: false };
  },
};
