// OAuth token exchanges of kinds whose stored secret is not itself the bearer token (Checkmarx One's
// refresh token, Wiz's client credentials): the form POST, the error reading, and a per-process
// cache of the access token until shortly before it expires. Also the rule that keeps the secret at
// home: the auth endpoint must be on the API URL's site.
import { createHash } from 'node:crypto';
import type { KindContext } from './kind.ts';

// one worker process serves many connectors; bounded so rotated secrets do not pile up
const MAX_CACHED = 500;

interface CachedToken { token: string; expiresAt: number }

export interface TokenExchange {
  /** the token endpoint */
  url: string;
  /** the form fields, secret included */
  form: Record<string, string>;
  /** what identifies one set of credentials at one endpoint (hashed; the secret is added here) */
  identity: string[];
  /** statuses the endpoint answers a refusal with */
  refusals: number[];
  /** the message for a refusal, given its status and the endpoint's `error: error_description` */
  refused(status: number, detail: string): string;
  /** renew a cached token this long before it expires */
  marginMs: number;
  /** when the answer has no expires_in */
  defaultLifetimeS: number;
  /** e.g. "Wiz auth": names an answer without a token */
  service: string;
}

export class AccessTokens {
  private readonly cache = new Map<string, CachedToken>();

  /** A bearer access token, from the cache while it is still valid. */
  async get(ctx: KindContext, exchange: TokenExchange): Promise<string> {
    const key = this.key(ctx, exchange);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - exchange.marginMs > Date.now()) return cached.token;
    const res = await ctx.http.request(exchange.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(exchange.form).toString(),
      accept: exchange.refusals,
    }, ctx.signal);
    if (res.status !== 200) {
      let detail = '';
      try {
        const body = JSON.parse(res.body);
        detail = [body?.error, body?.error_description].filter(Boolean).join(': ');
      } catch { /* OAuth servers answer JSON; a proxy's HTML page says nothing useful */ }
      // a 400 invalid_grant / invalid_client is a rejected credential: reported as 401, as every kind's
      ctx.http.fail(exchange.refused(res.status, detail), res.status === 400 ? 401 : res.status);
    }
    const body = ctx.http.parseJson<any>(res);
    if (typeof body?.access_token !== 'string' || !body.access_token) ctx.http.fail(`${exchange.service} answered without an access_token`);
    const lifetime = Number.isFinite(body.expires_in) && body.expires_in > 0 ? body.expires_in : exchange.defaultLifetimeS;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 });
    return body.access_token;
  }

  /** drops the cached token (the API refused it before its time) */
  forget(ctx: KindContext, exchange: Pick<TokenExchange, 'identity'>): void {
    this.cache.delete(this.key(ctx, exchange));
  }

  private key(ctx: KindContext, exchange: Pick<TokenExchange, 'identity'>): string {
    return createHash('sha256').update([...exchange.identity, ctx.config.secret ?? ''].join('\n')).digest('hex');
  }
}

/**
 * The site (last two DNS labels, or the IP) of a URL. The secret goes to the auth URL, but only a
 * change of `url` makes connector-config.ts ask for the secret again, so the auth URL must stay on
 * the API URL's site: pointing it elsewhere alone would hand the stored secret to another server.
 */
export function siteOf(raw: string): string | null {
  try {
    const host = new URL(raw).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return /^[\d.]+$|:/.test(host) ? host : host.split('.').slice(-2).join('.');
  } catch {
    return null;
  }
}
