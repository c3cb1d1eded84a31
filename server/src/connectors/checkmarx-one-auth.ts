// Checkmarx One's API key is an OAuth refresh token of the tenant's IAM (Keycloak) realm: it is
// exchanged for a short-lived bearer access token (ast-cli's getAPIKeyPayload: grant_type=
// refresh_token, client_id=ast-app), and that token is kept until shortly before it expires.
import { createHash } from 'node:crypto';
import type { KindContext } from './kind.ts';

// ast-cli refreshes a cached token this long before it expires; a token that dies mid-page costs a retry
const EXPIRY_MARGIN_MS = 60_000;
// Keycloak's default access-token lifespan for Checkmarx One is 30 minutes; used when expires_in is absent
const DEFAULT_LIFETIME_S = 1800;
// one worker process serves many connectors; bounded so rotated keys do not pile up
const MAX_CACHED = 500;

interface CachedToken { token: string; expiresAt: number }
const cache = new Map<string, CachedToken>();

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

function cacheKey(ctx: KindContext): string {
  return createHash('sha256').update(`${iamRoot(ctx)}\n${tenantOf(ctx)}\n${ctx.config.secret ?? ''}`).digest('hex');
}

export function forgetAccessToken(ctx: KindContext): void {
  cache.delete(cacheKey(ctx));
}

/** A bearer access token for the connector's tenant, from the cache while it is still valid. */
export async function accessToken(ctx: KindContext): Promise<string> {
  const key = cacheKey(ctx);
  const cached = cache.get(key);
  if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.token;
  const tenant = tenantOf(ctx);
  const url = `${iamRoot(ctx)}/auth/realms/${encodeURIComponent(tenant)}/protocol/openid-connect/token`;
  const res = await ctx.http.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'ast-app', refresh_token: ctx.config.secret ?? '' }).toString(),
    accept: [400, 401, 403, 404],
  }, ctx.signal);
  if (res.status !== 200) {
    let detail = '';
    try {
      const body = JSON.parse(res.body);
      detail = [body?.error, body?.error_description].filter(Boolean).join(': ');
    } catch { /* Keycloak answers JSON; a proxy's HTML page says nothing useful */ }
    // Keycloak: 404 "Realm does not exist" for an unknown tenant; 400 invalid_grant for a bad, expired or revoked key
    if (res.status === 404) ctx.http.fail(`Checkmarx One: no tenant "${tenant}" at ${iamRoot(ctx)} (404${detail ? ` ${detail}` : ''}); check the tenant name and the IAM URL`, 404);
    ctx.http.fail(`Checkmarx One rejected the API key for tenant "${tenant}" (${res.status}${detail ? ` ${detail}` : ''}): create a new API key (Identity and Access Management → API Keys)`, res.status === 400 ? 401 : res.status);
  }
  const body = ctx.http.parseJson<any>(res);
  if (typeof body?.access_token !== 'string' || !body.access_token) ctx.http.fail('Checkmarx One IAM answered without an access_token');
  const lifetime = Number.isFinite(body.expires_in) && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 });
  return body.access_token;
}
