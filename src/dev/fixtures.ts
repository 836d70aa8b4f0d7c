// `serve --dev` fixtures: per section (the standard endpoints, then each enabled dialect)
// the demo entities it needs and the lines the banner prints, with a curl command that works
// as printed. Entities are applied at start with the config's (entities.ts), marked `dev`,
// and removed again by any start without --dev.
import type { ClientConfig, Config, DialectName, ParticipantConfig, UserConfig } from '../config/schema.js';

/** Stable per secret key, unguessable: a derived secret for `label`. */
export type DevSecret = (label: string) => string;

export interface DevEntitySet {
  clients: ClientConfig[];
  users: UserConfig[];
  participants: ParticipantConfig[];
}

export interface BannerContext {
  /** The URL the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  config: Config;
  secret: DevSecret;
  /** Names of fixtures not written because an entity of that name already existed. */
  kept: ReadonlySet<string>;
}

export interface DevFixture {
  title: string;
  /** The dialect the section demonstrates; it is skipped while that dialect is off. */
  dialect?: DialectName;
  entities(secret: DevSecret, config: Config): DevEntitySet;
  lines(ctx: BannerContext): string[];
}

/** The WSO2 APK guide's client id and secret: published, so they exist only under --dev. */
export const APK_SAMPLE_CLIENT = {
  id: '45f1c5c8-a92e-11ed-afa1-0242ac120002',
  secret: '4fbd62ec-a92e-11ed-afa1-0242ac120002',
} as const;

const k = (url: string) => (url.startsWith('https:') ? '-k ' : '');
/** The user's dev password, or a placeholder when the user existed before (never overwritten). */
const password = (ctx: BannerContext, username: string, label: string) =>
  (ctx.kept.has(username) ? 'YOUR-PASSWORD' : ctx.secret(label).slice(0, 16));
const note = (ctx: BannerContext, username: string) =>
  (ctx.kept.has(username) ? [`(user ${username} existed already: its password was left unchanged)`] : []);

/** The example relying party (examples/relying-party, `npm run example`) and where it listens. */
export const EXAMPLE_APP = { id: 'example-app', url: 'http://127.0.0.1:3000', issuer: 'http://127.0.0.1:8080' } as const;

/** Its client: a confidential web app signing people in (authorization code + PKCE, OpenID Connect). */
const exampleApp = (secret: DevSecret): ClientConfig => ({
  client_id: EXAMPLE_APP.id, client_secret: secret('example-app'), client_name: 'Example app',
  grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile email offline_access',
  token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', resources: [],
  redirect_uris: [`${EXAMPLE_APP.url}/callback`], post_logout_redirect_uris: [`${EXAMPLE_APP.url}/`],
  client_uri: EXAMPLE_APP.url,
});

/** The banner's lines that start the example and say how to sign in to it. */
function exampleLines(ctx: BannerContext): string[] {
  const issuer = ctx.config.issuer === EXAMPLE_APP.issuer ? '' : `TESSERA_ISSUER=${ctx.config.issuer} `;
  return [
    'sign a person in (authorization code + PKCE, OpenID Connect): start the example web app with',
    `${issuer}EXAMPLE_CLIENT_SECRET=${ctx.secret('example-app')} npm run example`,
    `then open ${EXAMPLE_APP.url}, press "Sign in" and sign in as alice / ${password(ctx, 'alice', 'alice')}`,
  ];
}

const standard: DevFixture = {
  title: 'standard RFC 6749 endpoints',
  entities: (secret) => ({
    clients: [{
      client_id: 'demo', client_secret: secret('demo-client'), client_name: 'Dev demo client',
      grant_types: ['client_credentials', 'password', 'refresh_token'], scope: 'read write',
      token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', resources: [],
    }, exampleApp(secret)],
    users: [{
      username: 'alice', password: secret('alice').slice(0, 16), roles: ['user'],
      email: 'alice@example.test', email_verified: true, name: 'Alice Dev', given_name: 'Alice', family_name: 'Dev', locale: 'en',
    }],
    participants: [],
  }),
  lines: (ctx) => {
    const s = ctx.secret('demo-client');
    return [
      `client: demo / ${s}    user: alice / ${password(ctx, 'alice', 'alice')}`,
      ...note(ctx, 'alice'),
      `curl -s -u 'demo:${s}' -d grant_type=client_credentials ${ctx.url}/oauth2/token`,
      `curl -s -u 'demo:${s}' -d grant_type=password -d username=alice -d 'password=${password(ctx, 'alice', 'alice')}' ${ctx.url}/oauth2/token`,
      ...exampleLines(ctx),
    ];
  },
};

const o: DevFixture = {
  title: 'dialect o (Django-OAuth-Toolkit /o/token/)',
  dialect: 'o',
  entities: (secret) => ({
    clients: [{
      client_id: 'dot-demo', client_secret: secret('o-client'), client_name: 'Dev Django-OAuth-Toolkit client',
      grant_types: ['password', 'refresh_token', 'client_credentials'], scope: 'read write introspection',
      token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'opaque', resources: [], profile: 'o',
    }],
    users: [{ username: 'dot-user', password: secret('o-user').slice(0, 16), roles: [], name: 'DOT Dev User' }],
    participants: [],
  }),
  lines: (ctx) => {
    const s = ctx.secret('o-client');
    const withCredentials = ctx.url.replace('://', `://dot-demo:${s}@`);
    return [
      `client: dot-demo / ${s}    user: dot-user / ${password(ctx, 'dot-user', 'o-user')}`,
      ...note(ctx, 'dot-user'),
      `curl ${k(ctx.url)}-X POST -d "grant_type=password&username=dot-user&password=${password(ctx, 'dot-user', 'o-user')}" ${withCredentials}/o/token/`,
    ];
  },
};

const apk: DevFixture = {
  title: 'dialect apk (WSO2 APK inbuilt IdP, POST /oauth2/token)',
  dialect: 'apk',
  entities: () => ({
    clients: [{
      client_id: APK_SAMPLE_CLIENT.id, client_secret: APK_SAMPLE_CLIENT.secret, client_name: 'WSO2 APK sample client (dev only)',
      grant_types: ['client_credentials'], scope: '', token_endpoint_auth_method: 'client_secret_basic',
      access_token_format: 'jwt', access_token_ttl: 3600, resources: [], profile: 'apk',
    }],
    users: [],
    participants: [],
  }),
  lines: (ctx) => {
    const basic = Buffer.from(`${APK_SAMPLE_CLIENT.id}:${APK_SAMPLE_CLIENT.secret}`).toString('base64');
    return [
      `!! client ${APK_SAMPLE_CLIENT.id} / ${APK_SAMPLE_CLIENT.secret} is PUBLISHED in WSO2's docs: dev only.`,
      `curl -k --location '${ctx.url}/oauth2/token' --header 'Authorization: Basic ${basic}' --header 'Content-Type: application/x-www-form-urlencoded' --data-urlencode 'grant_type=client_credentials'`,
    ];
  },
};

const HCX_CODE = 'test-user@swasth-hcx';
const HCX_USER = 'testuser@gmail.com';

const hcx: DevFixture = {
  title: 'dialect hcx (HCX participant token)',
  dialect: 'hcx',
  entities: (secret) => ({
    clients: [],
    users: [{ username: HCX_USER, password: secret('hcx-user').slice(0, 16), roles: ['admin'], participant_code: HCX_CODE, email: HCX_USER }],
    participants: [{ participant_code: HCX_CODE, name: 'HCX dev participant', roles: ['provider'] }],
  }),
  lines: (ctx) => [
    `participant: ${HCX_CODE}    user: ${HCX_USER} / ${password(ctx, HCX_USER, 'hcx-user')}    public client: ${ctx.config.hcx_client_id}`,
    ...note(ctx, HCX_USER),
    `curl ${k(ctx.url)}--location '${ctx.url}/api/v0.8/participant/auth/token/generate' --header 'content-type: application/x-www-form-urlencoded' --data-urlencode 'username=${HCX_USER}' --data-urlencode 'participant_code=${HCX_CODE}' --data-urlencode 'password=${password(ctx, HCX_USER, 'hcx-user')}'`,
  ],
};

const v1: DevFixture = {
  title: 'dialect v1 (POST /v1/oauth/token/{token_type}; refresh as in the document with the refresh_token it returns)',
  dialect: 'v1',
  entities: (secret) => ({
    clients: [{
      client_id: 'v1-demo', client_secret: secret('v1-client'), client_name: 'Dev /v1/oauth client',
      grant_types: ['password', 'refresh_token', 'client_credentials'], scope: '',
      token_endpoint_auth_method: 'client_secret_post', access_token_format: 'jwt', resources: [], profile: 'v1',
    }],
    users: [{ username: 'v1-user', password: secret('v1-user').slice(0, 16), roles: [] }],
    participants: [],
  }),
  lines: (ctx) => {
    const s = ctx.secret('v1-client');
    const body = JSON.stringify({ grant_type: 'password', username: 'v1-user', password: password(ctx, 'v1-user', 'v1-user'), client_id: 'v1-demo', client_secret: s });
    return [
      `client: v1-demo / ${s}    user: v1-user / ${password(ctx, 'v1-user', 'v1-user')}`,
      ...note(ctx, 'v1-user'),
      `curl ${k(ctx.url)}-X POST ${ctx.url}/v1/oauth/token/user --header 'Content-Type: application/json' -d '${body}'`,
    ];
  },
};

export const devFixtures: readonly DevFixture[] = [standard, o, apk, hcx, v1];

/** The fixtures shown for this config: the standard one and those of enabled dialects. */
export function activeFixtures(config: Pick<Config, 'dialects'>): DevFixture[] {
  return devFixtures.filter((f) => f.dialect === undefined || config.dialects.includes(f.dialect));
}
