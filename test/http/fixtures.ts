// The config most black-box tests start the server with: one client per auth method and
// token format, users with and without participant data.
export const SECRETS = {
  svc: 'svc-secret-0123456789abcdefghijklmnopqrstuv',
  poster: 'poster-secret-0123456789abcdefghijklmnopqrs',
  app: 'app-secret-0123456789abcdefghijklmnopqrstuvw',
  opaque: 'opaque-secret-0123456789abcdefghijklmnopqr',
  weak: 'weak',
} as const;

export const PASSWORDS = { alice: 'correct horse battery staple', bob: 'bob-password-1' } as const;

export const standardConfig = {
  participants: [{ participant_code: 'hosp-1@swasth', name: 'Hospital One', roles: ['provider'] }],
  clients: [
    { client_id: 'svc', client_secret: SECRETS.svc, grant_types: ['client_credentials'], scope: 'read write', audience: 'https://api.example' },
    { client_id: 'poster', client_secret: SECRETS.poster, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], scope: 'read' },
    { client_id: 'app', client_secret: SECRETS.app, grant_types: ['password', 'refresh_token'], scope: 'read write admin', resources: ['https://r1.example'] },
    { client_id: 'opaque', client_secret: SECRETS.opaque, grant_types: ['client_credentials', 'password', 'refresh_token'], scope: 'read', access_token_format: 'opaque' },
    { client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['password', 'refresh_token'], scope: 'read' },
    { client_id: 'noref', client_secret: SECRETS.app, grant_types: ['password'], scope: 'read' },
    { client_id: 'weak', client_secret: SECRETS.weak, grant_types: ['client_credentials'], scope: 'read' },
    { client_id: 'short', client_secret: SECRETS.app, grant_types: ['password', 'refresh_token'], scope: 'read', refresh_token_ttl: 1, access_token_ttl: 1 },
    { client_id: 'rsa', client_secret: SECRETS.svc, grant_types: ['client_credentials'], access_token_signing_alg: 'RS256' },
    { client_id: 'pss', client_secret: SECRETS.svc, grant_types: ['client_credentials'], access_token_signing_alg: 'PS256' },
    { client_id: 'ed', client_secret: SECRETS.svc, grant_types: ['client_credentials'], access_token_signing_alg: 'EdDSA' },
    { client_id: 'apk-user', client_secret: SECRETS.app, grant_types: ['password', 'refresh_token'], profile: 'apk' },
  ],
  users: [
    { username: 'alice', password: PASSWORDS.alice, roles: ['doctor', 'admin'], participant_code: 'hosp-1@swasth', email: 'alice@example.test' },
    { username: 'bob', password: PASSWORDS.bob },
  ],
};
