// Checkmarx One's API key is an OAuth refresh token of the tenant's IAM (Keycloak) realm: it is
// exchanged for a short-lived bearer access token (ast-cli's getAPIKeyPayload: grant_type=
// refresh_token, client_id=ast-app), and that token is kept until shortly before it expires.
import type { KindContext } from './kind.ts';
import { AccessTokens, type TokenExchange } from './oauth-token.ts';

const tokens = new AccessTokens();

export function tenantOf(ctx: KindContext): string {
  return String(ctx.config.options.tenant ?? '').trim();
}

/** The API base: https://ast.checkmarx.net, eu.ast.checkmarx.net … whether /api was typed or not. */
export function apiRoot(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/api$/, '');
}

/**
 * The IAM base: the `iamUrl` option, else the API host with `ast.` replaced by `iam.` (as Checkmarx
 * names its regions: ast.checkmarx.net → iam.checkmarx.net, eu.ast… → eu.iam…), else the API host
 * itself (single-host and test deployments).
 */
export function iamRoot(ctx: KindContext): string {
  const configured = typeof ctx.config.options.iamUrl === 'string' ? ctx.config.options.iamUrl.trim() : '';
  if (configured) return configured.replace(/\/+$/, '');
  const u = new URL(apiRoot(ctx));
  if (/(^|\.)ast\./.test(u.hostname)) u.hostname = u.hostname.replace(/(^|\.)ast\./, '$1iam.');
  return u.origin;
}

/** the Keycloak refresh-token exchange of the connector's tenant */
function exchange(ctx: KindContext): TokenExchange {
  const tenant = tenantOf(ctx);
  return {
    url: `${iamRoot(ctx)}/auth/realms/${encodeURIComponent(tenant)}/protocol/openid-connect/token`,
    form: { grant_type: 'refresh_token', client_id: 'ast-app', refresh_token: ctx.config.secret ?? '' },
    identity: [iamRoot(ctx), tenant],
    refusals: [400, 401, 403, 404],
    // Keycloak: 404 "Realm does not exist" for an unknown tenant; 400 invalid_grant for a bad, expired or revoked key
    refused: (status, detail) => (status === 404
      ? `Checkmarx One: no tenant "${tenant}" at ${iamRoot(ctx)} (404${detail ? ` ${detail}` : ''}); check the tenant name and the IAM URL`
      : `Checkmarx One rejected the API key for tenant "${tenant}" (${status}${detail ? ` ${detail}` : ''}): create a new API key (Identity and Access Management → API Keys)`),
    // ast-cli refreshes a cached token this long before it expires; a token that dies mid-page costs a retry
    marginMs: 60_000,
    // Keycloak's default access-token lifespan for Checkmarx One is 30 minutes; used when expires_in is absent
    defaultLifetimeS: 1800,
    service: 'Checkmarx One IAM',
  };
}

export function forgetAccessToken(ctx: KindContext): void {
  tokens.forget(ctx, exchange(ctx));
}

/** A bearer access token for the connector's tenant, from the cache while it is still valid. */
export function accessToken(ctx: KindContext): Promise<string> {
  return tokens.get(ctx, exchange(ctx));
}
