// Dialect `apk`: WSO2 APK's inbuilt non-production IdP. It shares POST /oauth2/token with
// the standard endpoint; an `apk`-profile client gets APK's claim set (core/profiles/apk.ts)
// and this four-field answer. Errors are the standard RFC 6749 §5.2 JSON.
import type { TokenResult } from '../core/token-service.js';
import type { Dialect } from './dialect.js';

export function apkTokenBody(r: TokenResult): Record<string, unknown> {
  return { access_token: r.access_token, token_type: r.token_type, expires_in: r.expires_in, scope: r.scope };
}

export const apkDialect: Dialect = {
  name: 'apk',
  routes: [],
  standardEndpointBody: apkTokenBody,
};
