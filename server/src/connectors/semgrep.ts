// Semgrep AppSec Platform API v1 (Team/Enterprise tier): the projects of one deployment are the
// VEPs; a project's findings are its Code (SAST) and Supply Chain (SCA) findings on the default
// branch, every triage state included (research/connectors.md §5; semgrep.dev/docs/kb/integrations/
// pagination: `page` is 0-based, `page_size` defaults to 100, and a list ends on an empty page).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl } from './http.ts';
import { normalizeSemgrepFinding } from './semgrep-findings.ts';

// projects default to 100 a page; findings go up to 3000, 500 keeps a page near 1 MB of JSON
const PROJECT_PAGE = 100;
const FINDING_PAGE = 500;
// the two finding families the findings endpoint serves; secrets have their own cursor API
const ISSUE_TYPES = ['sast', 'sca'] as const;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/i;

function apiBase(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/api\/v1$/, '') + '/api/v1';
}

function slug(ctx: KindContext): string {
  return String(ctx.config.options.deploymentSlug ?? '').trim();
}

function headers(ctx: KindContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.config.secret ?? ''}` };
}

/**
 * Every item of an offset-paged Semgrep list. There is no total and no next link: the list ends on
 * the first empty page, so the only loop a server bug can cause is the same items served again,
 * which `idOf` catches (a repeated id fails the listing instead of spinning or double-counting).
 * What no check here can see: an item deleted before the current offset while the list is read
 * shifts the next page by one and one item goes unread (Semgrep sends no total to compare with);
 * that sync closes it, and the next one reopens it.
 */
async function* semgrepPages(ctx: KindContext, path: string, query: Record<string, string | number | boolean>, key: string, idOf: (item: any) => string, what: string): AsyncGenerator<any[]> {
  const seen = new Set<string>();
  for (let page = 0; ; page++) {
    if (page >= 10_000) ctx.http.fail(`Semgrep: more than 10000 pages of ${what}; stopping`);
    const res = await ctx.http.request(joinUrl(apiBase(ctx), path, { ...query, page }), { headers: { accept: 'application/json', ...headers(ctx) }, accept: [404] }, ctx.signal);
    if (res.status === 404) ctx.http.fail(`Semgrep: no deployment "${slug(ctx)}" visible to this token (404 listing ${what}); check the deployment slug`, 404);
    const body = ctx.http.parseJson<any>(res);
    const items = body?.[key];
    if (!Array.isArray(items)) ctx.http.fail(`Semgrep answered the ${what} list without a "${key}" array`);
    if (!items.length) return;
    for (const item of items) {
      const id = idOf(item);
      if (!id) ctx.http.fail(`Semgrep listed one of the ${what} without an id`);
      if (seen.has(id)) ctx.http.fail(`Semgrep listed ${what} ${id} twice while paging: the pagination loops or the list changed; try again`);
      seen.add(id);
    }
    yield items;
  }
}

export const semgrepKind: ConnectorKind = {
  id: 'semgrep',
  label: 'Semgrep',
  fields: [
    { name: 'url', label: 'API URL', type: 'url', required: true, secret: false, help: 'https://semgrep.dev (the API is under /api/v1/)' },
    { name: 'secret', label: 'API token', type: 'password', required: true, secret: true, help: 'A token with the "Web API" scope (Settings → Tokens)' },
    { name: 'deploymentSlug', label: 'Deployment slug', type: 'string', required: true, secret: false, help: 'The organization\'s deployment slug, as in semgrep.dev/orgs/<slug>' },
  ],
  /*
   * unique_id_from_tool_or_hash_code, DefectDojo's choice for Semgrep: match_based_id (rule, file and
   * the match's index, not its line) survives code moving; the legacy hash DefectDojo falls back to
   * for Semgrep (no field list of its own) still matches when a rule edit mints a new id.
   */
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'cwe', 'line', 'file_path', 'description'] },

  validateOptions(options) {
    const s = typeof options.deploymentSlug === 'string' ? options.deploymentSlug.trim() : '';
    if (!s) return 'deploymentSlug: the Semgrep deployment slug is required';
    if (!SLUG.test(s)) return `deploymentSlug: "${options.deploymentSlug}" is not a deployment slug (letters, digits, - and _)`;
    return null;
  },

  async testConnection(ctx) {
    const { data } = await ctx.http.json<any>(joinUrl(apiBase(ctx), 'deployments'), { headers: headers(ctx) }, ctx.signal);
    const deployments: any[] = Array.isArray(data?.deployments) ? data.deployments : [];
    const mine = deployments.find((d) => d?.slug === slug(ctx));
    if (!mine) ctx.http.fail(`Semgrep: this token sees no deployment "${slug(ctx)}" (it sees: ${deployments.map((d) => d?.slug).filter(Boolean).join(', ') || 'none'})`);
    return `Connected to Semgrep deployment ${mine.name ?? mine.slug}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const path = `deployments/${encodeURIComponent(slug(ctx))}/projects`;
    for await (const page of semgrepPages(ctx, path, { page_size: PROJECT_PAGE }, 'projects', (p) => String(p?.id ?? ''), 'projects')) {
      for (const p of page) {
        if (typeof p.name !== 'string' || !p.name) ctx.http.fail(`Semgrep listed project ${p.id} without a name`);
        yield {
          key: String(p.id),
          name: p.name,
          metadata: { url: p.url ?? null, defaultBranch: p.default_branch ?? p.primary_branch ?? null, latestScanAt: p.latest_scan_at ?? null, tags: p.tags ?? [] },
        };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    // findings are filtered by repository name, not project id (the API's own model)
    const path = `deployments/${encodeURIComponent(slug(ctx))}/findings`;
    const webFindings = `${ctx.config.url.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/orgs/${encodeURIComponent(slug(ctx))}/findings`;
    for (const issueType of ISSUE_TYPES) {
      // dedup=true: one finding per match across refs, as the Semgrep UI counts them
      const query = { issue_type: issueType, repos: vep.name, ref: '_default', dedup: true, page_size: FINDING_PAGE };
      for await (const page of semgrepPages(ctx, path, query, 'findings', (f) => String(f?.id ?? ''), `${issueType} findings`)) {
        yield page.map((f) => normalizeSemgrepFinding(f, issueType, webFindings));
      }
    }
  },
};
