// Swasth HCX participant tokens (dialect `hcx`): a Keycloak-shaped JWT (RS256, `typ`
// claim "Bearer", `azp`, `session_state`/`sid` = the refresh family) carrying the
// participant and user claims HCX services read, on top of the RFC 9068 claims.
import type { ClaimProfile } from './index.js';
import { standardProfile } from './standard.js';

export const hcxProfile: ClaimProfile = {
  typ: 'JWT',
  defaultAlg: 'RS256',
  needsParticipant: true,
  claims: (c) => {
    const claims: Record<string, unknown> = {
      ...standardProfile.claims(c),
      typ: 'Bearer',
      azp: c.client.client_id,
    };
    if (c.familyId) {
      claims.sid = c.familyId;
      claims.session_state = c.familyId;
    }
    if (c.user) {
      const code = c.participant?.participant_code ?? c.user.participant_code;
      claims.user_id = c.user.username;
      claims.preferred_username = code ? `${code}:${c.user.username}` : c.user.username;
      if (code) claims.participant_code = code;
      if (c.user.email) claims.email = c.user.email;
      claims.realm_access = { participant_roles: c.participant?.roles ?? [], user_roles: c.user.roles };
      claims.entity = [code ? 'Organisation' : 'User'];
    }
    return claims;
  },
};
