// Checkmarx One: one VEP per project of the tenant; findings are every engine's results (SAST, IaC,
// SCA …) of the project's newest completed scan, optionally on one branch. Auth is the tenant's
// API key exchanged for a bearer token (checkmarx-one-auth.ts); lists page by offset/limit.
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, pageGuard, type HttpResponse } from './http.ts';
import { accessToken, apiRoot, forgetAccessToken, tenantOf } from './checkmarx-one-auth.ts';
import { normalizeResult, resultKey, type ScanInfo } from './checkmarx-one-results.ts';
import { siteOf } from './oauth-token.ts';

const PROJECT_PAGE = 100;
// the results API allows up to 10 000 a page (ast-cli asks for that); 500 keeps one page well
// under a few MB even with SAST node paths
const RESULT_PAGE = 500;
// Checkmarx One versions its API through the Accept header; 1.0 is what its REST docs and ast-cli send
const ACCEPT = 'application/json; version=1.0';

function branch(ctx: KindContext): string | null {
  const b = ctx.config.options.branch;
  return typeof b === 'string' && b.trim() ? b.trim() : null;
}

/** GET with the cached bearer token; a 401 (token expired or revoked early) re-exchanges the key once. */
async function getJson(ctx: KindContext, url: string, what: string): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const token = await accessToken(ctx);
    const res: HttpResponse = await ctx.http.request(url, { headers: { authorization: `Bearer ${token}`, accept: ACCEPT }, accept: [401, 404] }, ctx.signal);
    if (res.status === 401 && attempt === 0) { forgetAccessToken(ctx); continue; }
    if (res.status === 401) ctx.http.fail(`401 from Checkmarx One: the access token for tenant "${tenantOf(ctx)}" was refused listing ${what}`, 401);
    if (res.status === 404) ctx.http.fail(`Checkmarx One: ${what} not found (404): check the API URL for the tenant's region`, 404);
    return ctx.http.parseJson<any>(res);
  }
}

/**
 * offset/limit pages of a list whose body carries `totalCount` (or `filteredTotalCount`): ends when
 * the count is reached; an empty page before that, a page that repeats an item or a count that
 * moves is an error, so a short read never passes for a complete one.
 */
async function* offsetPages(ctx: KindContext, path: string, query: Record<string, string | number>, listKey: string, what: string, pageSize: number, identity: (item: any) => string): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  const seen = new Set<string>();
  let offset = 0;
  let total: number | null = null;
  for (;;) {
    const url = joinUrl(apiRoot(ctx), path, { ...query, offset, limit: pageSize });
    guard(url);
    const body = await getJson(ctx, url, what);
    const items = body?.[listKey];
    if (!Array.isArray(items)) ctx.http.fail(`Checkmarx One answered the ${what} list without "${listKey}"`);
    const count = Number(body.filteredTotalCount ?? body.totalCount);
    if (!Number.isInteger(count) || count < 0) ctx.http.fail(`Checkmarx One answered the ${what} list without a total count`);
    if (total !== null && count !== total) ctx.http.fail(`Checkmarx One: the ${what} count changed from ${total} to ${count} while paging; try again`);
    total = count;
    for (const item of items) {
      const id = identity(item);
      if (!id) ctx.http.fail(`Checkmarx One listed one of the ${what} without an id`);
      if (seen.has(id)) ctx.http.fail(`Checkmarx One: pagination loops back to a page already read (${what}: ${id} came twice)`);
      seen.add(id);
    }
    if (items.length) yield items;
    offset += items.length;
    if (offset >= total) return;
    if (!items.length) ctx.http.fail(`Checkmarx One ended the ${what} after ${offset} of ${total}`);
  }
}

/** The newest completed scan of a project (on the configured branch), or null when there is none. */
async function latestScan(ctx: KindContext, projectId: string): Promise<any | null> {
  const body = await getJson(ctx, joinUrl(apiRoot(ctx), 'api/scans', {
    'project-id': projectId, statuses: 'Completed', branch: branch(ctx), sort: '-created_at', offset: 0, limit: 1,
  }), `the scans of project ${projectId}`);
  if (!Array.isArray(body?.scans)) ctx.http.fail(`Checkmarx One answered the scans of project ${projectId} without "scans"`);
  const scan = body.scans[0] ?? null;
  if (scan && (typeof scan.id !== 'string' || !scan.id)) ctx.http.fail(`Checkmarx One listed a scan of project ${projectId} without an id`);
  // the filters are the server's to apply; a scan that is not what was asked for is not trusted
  if (scan && (scan.status !== 'Completed' || (scan.projectId && scan.projectId !== projectId))) {
    ctx.http.fail(`Checkmarx One returned scan ${scan.id} (${scan.status}) for project ${projectId}, not a completed scan of it`);
  }
  return scan;
}

export const checkmarxOneKind: ConnectorKind = {
  id: 'checkmarx-one',
  label: 'Checkmarx One',
  fields: [
    { name: 'url', label: 'API URL', type: 'url', required: true, secret: false, help: 'The region\'s API host, e.g. https://ast.checkmarx.net or https://eu.ast.checkmarx.net' },
    { name: 'secret', label: 'API key', type: 'password', required: true, secret: true, help: 'An API key (Identity and Access Management → API Keys) whose roles can view projects, scans and results' },
    { name: 'tenant', label: 'Tenant', type: 'string', required: true, secret: false, help: 'The tenant (account) name you sign in with' },
    { name: 'iamUrl', label: 'IAM URL', type: 'url', required: false, secret: false, help: 'Empty: derived from the API URL (ast.… → iam.…)' },
    { name: 'branch', label: 'Branch', type: 'string', required: false, secret: false, help: 'Import the newest completed scan of this branch only; empty = the newest completed scan of any branch' },
  ],
  /*
   * unique_id_from_tool, as DefectDojo's "Checkmarx One Scan": a result's id is Checkmarx's own key
   * for that result across the project's scans (the similarity id when the id is absent); the hash
   * fields are what tells two results apart when a server sends neither.
   */
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'cwe', 'file_path', 'line', 'component_name', 'component_version', 'vulnerability_ids'] },

  validateOptions(options, url) {
    const tenant = typeof options.tenant === 'string' ? options.tenant.trim() : '';
    if (!tenant) return 'tenant: the Checkmarx One tenant name is required';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(tenant)) return `tenant: "${options.tenant}" is not a tenant name (letters, digits, '.', '_' and '-')`;
    const iam = typeof options.iamUrl === 'string' ? options.iamUrl.trim() : '';
    if (iam && siteOf(iam) !== siteOf(url)) return `iamUrl: ${siteOf(iam) ?? iam} is not the API URL's site (${siteOf(url) ?? url}); the API key is only sent to the tenant's own IAM`;
    return null;
  },

  async testConnection(ctx) {
    const body = await getJson(ctx, joinUrl(apiRoot(ctx), 'api/projects', { offset: 0, limit: 1 }), 'projects');
    const total = Number(body?.totalCount ?? 0);
    return `Connected to Checkmarx One tenant ${tenantOf(ctx)}: ${total} project${total === 1 ? '' : 's'}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    for await (const page of offsetPages(ctx, 'api/projects', {}, 'projects', 'projects', PROJECT_PAGE, (p) => String(p?.id ?? ''))) {
      for (const p of page) {
        yield {
          key: String(p.id),
          name: String(p.name ?? p.id),
          metadata: { repoUrl: p.repoUrl || null, mainBranch: p.mainBranch || null, groups: Array.isArray(p.groups) ? p.groups : [], tags: p.tags ?? {} },
        };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const scan = await latestScan(ctx, vep.key);
    // never scanned (on this branch): an empty, complete answer
    if (!scan) return;
    const info: ScanInfo = { projectId: vep.key, scanId: scan.id, branch: scan.branch ?? null, root: apiRoot(ctx) };
    for await (const page of offsetPages(ctx, 'api/results', { 'scan-id': scan.id, sort: '-severity' }, 'results', `results of scan ${scan.id}`, RESULT_PAGE, resultKey)) {
      yield page.map((r) => normalizeResult(r, info));
    }
  },
};
