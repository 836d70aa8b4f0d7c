// Dialect `apk`: WSO2 APK's inbuilt non-production IdP. It shares POST /oauth2/token with
// the standard endpoint; an `apk`-profile client gets APK's claim set (core/profiles/apk.ts)
// and this four-field answer. Errors are the standard RFC 6749 §5.2 JSON.
import { verifyClientSecret } from '../core/secrets.js';
import type { TokenResult } from '../core/token-service.js';
import { ensureClient, type DevContext, type DevSection } from '../dev.js';
import { tokenBodyByProfile } from '../http/routes/token.js';
import type { Tessera } from '../runtime.js';
import type { Dialect } from './index.js';

/** The client id and secret printed in WSO2's guide; registered by `serve --dev` only. */
export const APK_SAMPLE_CLIENT = {
  id: '45f1c5c8-a92e-11ed-afa1-0242ac120002',
  secret: '4fbd62ec-a92e-11ed-afa1-0242ac120002',
} as const;

export function apkTokenBody(r: TokenResult): Record<string, unknown> {
  return { access_token: r.access_token, token_type: r.token_type, expires_in: r.expires_in, scope: r.scope };
}

/**
 * The guide's credentials are public, so they must not outlive `serve --dev`: at every
 * start (before the dev fixture, if any, registers them again) a client holding them is
 * removed, even from a database that a dev server once used.
 */
export async function forgetApkSampleClient(t: Tessera): Promise<void> {
  const c = await t.store.clients.get(APK_SAMPLE_CLIENT.id);
  if (c?.client_secret_hash && (await verifyClientSecret(APK_SAMPLE_CLIENT.secret, c.client_secret_hash))) {
    await t.store.clients.delete(APK_SAMPLE_CLIENT.id);
    t.log.warn({ client_id: APK_SAMPLE_CLIENT.id }, 'removed the WSO2 APK sample client: its secret is published, it exists only under serve --dev');
  }
}

export const apkDialect: Dialect = {
  name: 'apk',
  register() {
    tokenBodyByProfile.set('apk', apkTokenBody);
  },
};

/** `serve --dev`: the guide's client, so its sample request works exactly as printed. */
export async function apkDevFixture({ t, url }: DevContext): Promise<DevSection | null> {
  if (!t.config.dialects.includes('apk')) return null;
  await ensureClient(t, {
    client_id: APK_SAMPLE_CLIENT.id, client_secret: APK_SAMPLE_CLIENT.secret, client_name: 'WSO2 APK sample client (dev only)',
    grant_types: ['client_credentials'], scope: '', token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: 'jwt', access_token_ttl: 3600, resources: [], profile: 'apk',
  });
  const basic = Buffer.from(`${APK_SAMPLE_CLIENT.id}:${APK_SAMPLE_CLIENT.secret}`).toString('base64');
  return {
    title: 'dialect apk (WSO2 APK inbuilt IdP, POST /oauth2/token)',
    lines: [
      `!! client ${APK_SAMPLE_CLIENT.id} / ${APK_SAMPLE_CLIENT.secret} is PUBLISHED in WSO2's docs: dev only.`,
      `curl -k --location '${url}/oauth2/token' --header 'Authorization: Basic ${basic}' --header 'Content-Type: application/x-www-form-urlencoded' --data-urlencode 'grant_type=client_credentials'`,
    ],
  };
}
