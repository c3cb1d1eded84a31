// GitLab (Ultimate) vulnerability report: one VEP per project (the token's memberships, or one
// group's projects including subgroups); findings over GraphQL (research/connectors.md §4).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, nextLink, pageGuard, type HttpResponse } from './http.ts';
import { VULNERABILITIES_QUERY, normalizeVulnerability } from './gitlab-vulnerabilities.ts';
import { sameOriginNext } from './next-page.ts';

// GitLab's max_page_size for REST lists and GraphQL connections alike
const PAGE_SIZE = 100;

/** The instance root, whether the user typed it with /api/v4 or not. */
function root(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
}

function group(ctx: KindContext): string | null {
  const g = ctx.config.options.group;
  return typeof g === 'string' && g.trim() ? g.trim() : typeof g === 'number' ? String(g) : null;
}

// Bearer works for personal, group, project and OAuth tokens on REST and GraphQL alike.
function headers(ctx: KindContext): Record<string, string> {
  return { authorization: `Bearer ${ctx.config.secret ?? ''}` };
}

async function getJson(ctx: KindContext, url: string, notFound: string): Promise<{ data: any; res: HttpResponse }> {
  const res = await ctx.http.request(url, { headers: { ...headers(ctx), accept: 'application/json' }, accept: [404] }, ctx.signal);
  if (res.status === 404) ctx.http.fail(`GitLab: ${notFound} (404: it does not exist, or the token cannot see it)`, 404);
  return { data: ctx.http.parseJson<any>(res), res };
}

/** Offset pages: rel="next" in Link, else X-Next-Page (empty on the last page). */
function nextPageUrl(ctx: KindContext, res: HttpResponse, current: string): string | null {
  const link = nextLink(res.headers.get('link'));
  if (link) return sameOriginNext(ctx.http, link, current, root(ctx));
  const nextPage = res.headers.get('x-next-page');
  if (!nextPage) return null;
  if (!/^\d+$/.test(nextPage)) ctx.http.fail(`GitLab sent an X-Next-Page header that is not a page number: "${nextPage.slice(0, 40)}"`);
  const u = new URL(current);
  u.searchParams.set('page', nextPage);
  return u.toString();
}

async function graphql(ctx: KindContext, variables: Record<string, unknown>): Promise<any> {
  const { data: body } = await ctx.http.json<any>(joinUrl(root(ctx), 'api/graphql'), {
    method: 'POST',
    headers: { ...headers(ctx), 'content-type': 'application/json' },
    body: JSON.stringify({ query: VULNERABILITIES_QUERY, variables }),
  }, ctx.signal);
  // GraphQL reports query errors (complexity, permissions, timeouts) with HTTP 200
  if (Array.isArray(body?.errors) && body.errors.length) {
    const messages = body.errors.map((e: any) => String(e?.message ?? 'unknown error')).join('; ');
    ctx.http.fail(`GitLab GraphQL error: ${messages.slice(0, 500)}`);
  }
  if (!body || typeof body.data !== 'object' || body.data === null) ctx.http.fail('GitLab GraphQL answered without data');
  return body.data;
}

export const gitlabKind: ConnectorKind = {
  id: 'gitlab',
  label: 'GitLab',
  fields: [
    { name: 'url', label: 'GitLab URL', type: 'url', required: true, secret: false, help: 'The instance root, e.g. https://gitlab.example.com' },
    { name: 'secret', label: 'Access token', type: 'password', required: true, secret: true, help: 'A token with read_api, for a user with at least the Developer role on the projects' },
    { name: 'group', label: 'Group', type: 'string', required: false, secret: false, help: 'Limit discovery to this group (id or full path) and its subgroups; empty = every project the token is a member of' },
  ],
  /*
   * unique_id_from_tool: the finding uuid is GitLab's own identity for a vulnerability (derived from
   * report type, location fingerprint and primary identifier) and survives rescans, while GitLab's
   * tracking keeps it when the code around it moves; title/line hashes would split such findings.
   */
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'cwe', 'file_path', 'line', 'component_name', 'component_version', 'vulnerability_ids'] },

  validateOptions(options, url) {
    const g = options.group;
    if (g !== undefined && g !== null && g !== '' && typeof g !== 'string' && typeof g !== 'number') return 'group: a group id or full path (e.g. my-org/security)';
    if (typeof g === 'string' && /^\/|\/$|\s/.test(g.trim()) && g.trim()) return `group: "${g}" is not a group path (no leading/trailing slash or spaces)`;
    try { new URL(url); } catch { return 'url: not a valid URL'; }
    return null;
  },

  async testConnection(ctx) {
    const { data: user } = await getJson(ctx, joinUrl(root(ctx), 'api/v4/user'), 'the current user could not be read');
    const g = group(ctx);
    if (!g) return `Connected to GitLab as ${user.username ?? user.name ?? 'unknown user'}`;
    const { data: found } = await getJson(ctx, joinUrl(root(ctx), `api/v4/groups/${encodeURIComponent(g)}`, { with_projects: false }), `no group "${g}"`);
    return `Connected to GitLab as ${user.username ?? user.name ?? 'unknown user'}; group ${found.full_path ?? g}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const g = group(ctx);
    const list = { simple: true, per_page: PAGE_SIZE, order_by: 'id', sort: 'asc' };
    let url: string | null = g
      // with_shared=false: projects merely shared into the group belong to another group's connector
      ? joinUrl(root(ctx), `api/v4/groups/${encodeURIComponent(g)}/projects`, { include_subgroups: true, with_shared: false, ...list })
      : joinUrl(root(ctx), 'api/v4/projects', { membership: true, ...list });
    const guard = pageGuard(ctx.http);
    while (url) {
      guard(url);
      const { data: page, res } = await getJson(ctx, url, g ? `no group "${g}"` : 'the project list is not available');
      if (!Array.isArray(page)) ctx.http.fail(`GitLab answered the project list with ${typeof page}, not a list`);
      for (const p of page) {
        if (p?.id === undefined || p?.id === null) ctx.http.fail('GitLab listed a project without an id');
        yield {
          key: String(p.id),
          name: String(p.name_with_namespace ?? p.path_with_namespace ?? p.name ?? p.id),
          metadata: { fullPath: p.path_with_namespace ?? null, webUrl: p.web_url ?? null, defaultBranch: p.default_branch ?? null },
        };
      }
      url = nextPageUrl(ctx, res, url);
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    // GraphQL addresses projects by path; the id is the stable key, so resolve the current path first
    const { data: project } = await getJson(ctx, joinUrl(root(ctx), `api/v4/projects/${encodeURIComponent(vep.key)}`), `no project ${vep.key}`);
    const fullPath = String(project.path_with_namespace ?? '');
    if (!fullPath) ctx.http.fail(`GitLab project ${vep.key} has no path_with_namespace`);
    const guard = pageGuard(ctx.http);
    let after: string | null = null;
    for (;;) {
      const data = await graphql(ctx, { fullPath, first: PAGE_SIZE, after });
      // an unknown or invisible project is null without an error
      if (!data.project) ctx.http.fail(`GitLab GraphQL has no project "${fullPath}" for this token`);
      const connection = data.project.vulnerabilities;
      if (!connection || !Array.isArray(connection.nodes) || !connection.pageInfo) {
        ctx.http.fail(`GitLab did not return vulnerabilities for "${fullPath}": the token's user needs at least the Developer role`);
      }
      if (connection.nodes.length) yield connection.nodes.map(normalizeVulnerability);
      if (!connection.pageInfo.hasNextPage) return;
      const cursor = connection.pageInfo.endCursor;
      if (typeof cursor !== 'string' || !cursor) ctx.http.fail(`GitLab said more vulnerabilities follow for "${fullPath}" but sent no cursor`);
      guard(`cursor:${cursor}`);
      after = cursor;
    }
  },
};
