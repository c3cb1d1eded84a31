// Wiz: one VEP per (non-archived) Wiz project; findings are the project's vulnerability findings
// (open and ignored: a resolved one is closed by its absence). Auth is an OAuth client-credentials
// exchange (audience wiz-api) at the tenant's auth endpoint; GraphQL pages with first/after cursors.
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { pageGuard } from './http.ts';
import { AccessTokens, siteOf, type TokenExchange } from './oauth-token.ts';
import { FINDINGS_QUERY, PROJECTS_QUERY, normalizeFinding } from './wiz-findings.ts';

// Wiz's maximum page size for these connections is 500 (its docs advise it for bulk reads)
const PAGE_SIZE = 500;
const DEFAULT_AUTH_URL = 'https://auth.app.wiz.io/oauth/token';
// resolved findings stay in Wiz for good; Tributary closes them by their absence instead
const STATUSES = ['OPEN', 'IGNORED'];


const tokens = new AccessTokens();

/** The GraphQL endpoint, e.g. https://api.us17.app.wiz.io/graphql, whether /graphql was typed or not. */
function endpoint(ctx: KindContext): string {
  const base = ctx.config.url.replace(/\/+$/, '');
  return /\/graphql$/.test(base) ? base : `${base}/graphql`;
}

function authUrl(ctx: KindContext): string {
  const u = ctx.config.options.authUrl;
  return typeof u === 'string' && u.trim() ? u.trim() : DEFAULT_AUTH_URL;
}

function clientId(ctx: KindContext): string {
  return String(ctx.config.options.clientId ?? '').trim();
}

/** the client-credentials exchange at the tenant's auth endpoint */
function exchange(ctx: KindContext): TokenExchange {
  return {
    url: authUrl(ctx),
    form: { grant_type: 'client_credentials', audience: 'wiz-api', client_id: clientId(ctx), client_secret: ctx.config.secret ?? '' },
    identity: [authUrl(ctx), clientId(ctx)],
    refusals: [400, 401, 403],
    refused: (status, detail) => `Wiz rejected the service account credentials (${status}${detail ? ` ${detail}` : ''}): check the client ID and secret and the auth URL of your tenant`,
    // a token lives 24 h (expires_in 86400); renewed this long before
    marginMs: 5 * 60_000,
    defaultLifetimeS: 3600,
    service: 'Wiz auth',
  };
}

/** One GraphQL call with the cached token; an UNAUTHENTICATED answer re-exchanges the credentials once. */
async function graphql(ctx: KindContext, query: string, variables: Record<string, unknown>): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.get(ctx, exchange(ctx));
    const res = await ctx.http.request(endpoint(ctx), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      accept: [401],
    }, ctx.signal);
    const body = res.status === 401 ? null : ctx.http.parseJson<any>(res);
    const errors: any[] = Array.isArray(body?.errors) ? body.errors : [];
    const unauthenticated = res.status === 401 || errors.some((e) => e?.extensions?.code === 'UNAUTHENTICATED');
    if (unauthenticated && attempt === 0) { tokens.forget(ctx, exchange(ctx)); continue; }
    if (unauthenticated) ctx.http.fail('401 from Wiz: the access token was refused (unauthorized); check the service account is still enabled', 401);
    // query errors (permissions, complexity, bad filters) arrive with HTTP 200
    if (errors.length) {
      const messages = errors.map((e) => `${e?.message ?? 'unknown error'}${e?.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; ').slice(0, 500);
      ctx.http.fail(`Wiz GraphQL error: ${messages}`);
    }
    if (!body || typeof body.data !== 'object' || body.data === null) ctx.http.fail('Wiz answered GraphQL without data');
    return body.data;
  }
}

/** Every page of a first/after connection; a page without a cursor to go on, or a repeated cursor, is an error. */
async function* connectionPages(ctx: KindContext, query: string, field: string, variables: Record<string, unknown>): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  let after: string | null = null;
  for (;;) {
    const data = await graphql(ctx, query, { ...variables, first: PAGE_SIZE, after });
    const connection = data[field];
    if (!connection || !Array.isArray(connection.nodes) || !connection.pageInfo) ctx.http.fail(`Wiz answered without the ${field} connection`);
    if (connection.nodes.length) yield connection.nodes;
    if (!connection.pageInfo.hasNextPage) return;
    const cursor = connection.pageInfo.endCursor;
    if (typeof cursor !== 'string' || !cursor) ctx.http.fail(`Wiz said more ${field} follow but sent no endCursor`);
    guard(`cursor:${cursor}`);
    after = cursor;
  }
}

export const wizKind: ConnectorKind = {
  id: 'wiz',
  label: 'Wiz',
  fields: [
    { name: 'url', label: 'API endpoint URL', type: 'url', required: true, secret: false, help: 'From User Settings → Tenant, e.g. https://api.us17.app.wiz.io/graphql' },
    { name: 'secret', label: 'Client secret', type: 'password', required: true, secret: true, help: 'The secret of a service account with the read:projects and read:vulnerabilities scopes' },
    { name: 'clientId', label: 'Client ID', type: 'string', required: true, secret: false, help: 'The service account\'s client ID' },
    { name: 'authUrl', label: 'Auth URL', type: 'url', required: false, secret: false, help: `Empty: ${DEFAULT_AUTH_URL} (Wiz for Government and older tenants use another; see the tenant settings)` },
  ],
  /*
   * unique_id_from_tool_or_hash_code, as DefectDojo's "Wiz Scan": the finding id is Wiz's key for
   * one vulnerability on one asset. The hash leaves out DefectDojo's `description` (Wiz rewrites it
   * as advisories change, which would split a finding) for what identifies it instead: the title
   * (vulnerability, package and asset), the package and where it sits on the asset.
   */
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'severity', 'component_name', 'component_version', 'file_path'] },

  validateOptions(options, url) {
    if (typeof options.clientId !== 'string' || !options.clientId.trim()) return 'clientId: the Wiz service account\'s client ID is required';
    const auth = typeof options.authUrl === 'string' && options.authUrl.trim() ? options.authUrl.trim() : DEFAULT_AUTH_URL;
    if (siteOf(auth) !== siteOf(url)) return `authUrl: ${siteOf(auth) ?? auth} is not the API URL's site (${siteOf(url) ?? url}); the client secret is only sent to the tenant's own auth endpoint`;
    return null;
  },

  async testConnection(ctx) {
    const data = await graphql(ctx, PROJECTS_QUERY, { first: 1, after: null });
    if (!data.projects) ctx.http.fail('Wiz answered without projects: the service account needs the read:projects scope');
    return 'Connected to Wiz';
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    for await (const page of connectionPages(ctx, PROJECTS_QUERY, 'projects', {})) {
      for (const p of page) {
        if (typeof p?.id !== 'string' || !p.id) ctx.http.fail('Wiz listed a project without an id');
        if (p.archived === true) continue;
        yield { key: p.id, name: String(p.name ?? p.slug ?? p.id), metadata: { slug: p.slug ?? null, businessUnit: p.businessUnit || null } };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const filterBy = { projectId: [vep.key], status: STATUSES };
    for await (const page of connectionPages(ctx, FINDINGS_QUERY, 'vulnerabilityFindings', { filterBy })) {
      yield page.map(normalizeFinding);
    }
  },
};
