// Harbor v2.0 API with a robot account: projects are the VEPs; a project's findings are the
// vulnerabilities of each repository's newest scanned artifact, read from the artifact's
// `additions/vulnerabilities` report (goharbor/harbor api/v2.0/swagger.yaml, research §10).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, nextLink, pageGuard } from './http.ts';
import { sameOriginNext } from './next-page.ts';
import { normalizeHarborReport, REPORT_MIME } from './harbor-report.ts';

// the swagger's page_size maximum
const PAGE_SIZE = 100;
// the report formats Harbor may answer with, preferred first (the swagger's default header)
const ACCEPT_REPORTS = `${REPORT_MIME}, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0`;

function apiBase(ctx: KindContext): string {
  return ctx.config.url.replace(/\/+$/, '').replace(/\/api\/v2\.0$/, '') + '/api/v2.0';
}

function headers(ctx: KindContext): Record<string, string> {
  // Basic auth with the robot account: `options.username` is the robot's full name (robot$…)
  const user = String(ctx.config.options.username ?? '');
  return { authorization: `Basic ${Buffer.from(`${user}:${ctx.config.secret ?? ''}`).toString('base64')}`, 'x-accept-vulnerabilities': ACCEPT_REPORTS };
}

/**
 * Every item of a Harbor list: follows the `Link: <…>; rel="next"` header on the configured host and
 * checks that every page announces the same `X-Total-Count` and that the items received add up to
 * it, so a page lost or a list changed mid-read fails. The total is compared page by page because
 * a project deleted before the current page shifts the next page by one: the items read then equal
 * the new, smaller total while one item fell between pages.
 */
async function* harborList(ctx: KindContext, first: string, what: string): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  let url: string | null = first;
  let received = 0;
  let total: number | null = null;
  while (url) {
    guard(url);
    const { data, response } = await ctx.http.json<any[]>(url, { headers: headers(ctx) }, ctx.signal);
    if (!Array.isArray(data)) ctx.http.fail(`Harbor answered the ${what} list with something other than a JSON array`);
    const header = response.headers.get('x-total-count');
    const announced = Number(header);
    if (header === null || header.trim() === '' || !Number.isInteger(announced) || announced < 0) ctx.http.fail(`Harbor answered the ${what} list without X-Total-Count, so it cannot be known complete`);
    if (total !== null && announced !== total) ctx.http.fail(`Harbor announced ${total} ${what}, then ${announced} while they were read: the list changed; try again`);
    total = announced;
    received += data.length;
    yield data;
    const next = nextLink(response.headers.get('link'));
    url = next ? sameOriginNext(ctx.http, next, url, apiBase(ctx)) : null;
  }
  if (received !== (total ?? 0)) ctx.http.fail(`Harbor announced ${total} ${what} but sent ${received}: the list changed while it was read; try again`);
}

/** `a/b` → `a%252Fb`: the swagger asks for repository names with a slash to be encoded twice. */
function repoPath(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}

/** The newest artifact (by push time) whose scan report in our format finished; null when none did. */
async function newestScanned(ctx: KindContext, project: string, repo: string): Promise<any | null> {
  const first = joinUrl(apiBase(ctx), `projects/${encodeURIComponent(project)}/repositories/${repoPath(repo)}/artifacts`, {
    page: 1, page_size: PAGE_SIZE, with_scan_overview: true, with_tag: true, sort: '-push_time',
  });
  let newest: any = null;
  // the whole listing is read even after a hit: its completeness is what makes "none scanned" true
  for await (const page of harborList(ctx, first, `artifacts of ${project}/${repo}`)) {
    for (const a of page) {
      const overview = a?.scan_overview ?? {};
      const scanned = Object.values(overview).some((s: any) => s?.scan_status === 'Success');
      if (scanned && (!newest || Date.parse(a.push_time) > Date.parse(newest.push_time))) newest = a;
    }
  }
  return newest;
}

export const harborKind: ConnectorKind = {
  id: 'harbor',
  label: 'Harbor',
  fields: [
    { name: 'url', label: 'Harbor URL', type: 'url', required: true, secret: false, help: 'The Harbor root, e.g. https://harbor.example.com (the API is under /api/v2.0/)' },
    { name: 'username', label: 'Robot account', type: 'string', required: true, secret: false, help: 'The robot account\'s full name, e.g. robot$tributary (system robot with project list, repository list, artifact read and scan read)' },
    { name: 'secret', label: 'Robot secret', type: 'password', required: true, secret: true },
  ],
  /*
   * hash_code on DefectDojo's "Harbor Vulnerability Scan" fields (title, mitigation) plus file_path,
   * which holds the repository: DefectDojo imports one image per test, a Record here spans every
   * repository of a project, and the same CVE in two images is two findings. Artifact digests change
   * with every push, so nothing Harbor sends is a finding id that survives a rebuild.
   */
  dedupe: { algorithm: 'hash_code', hashFields: ['title', 'mitigation', 'file_path'] },

  validateOptions(options) {
    const user = typeof options.username === 'string' ? options.username.trim() : '';
    if (!user) return 'username: the robot account name is required';
    if (user.includes(':')) return 'username: a Harbor account name cannot contain ":"';
    return null;
  },

  async testConnection(ctx) {
    const { response } = await ctx.http.json(joinUrl(apiBase(ctx), 'projects', { page: 1, page_size: 1, with_detail: false }), { headers: headers(ctx) }, ctx.signal);
    return `Connected to Harbor; the robot account sees ${response.headers.get('x-total-count') ?? 'an unknown number of'} projects`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const first = joinUrl(apiBase(ctx), 'projects', { page: 1, page_size: PAGE_SIZE, with_detail: false, sort: 'project_id' });
    for await (const page of harborList(ctx, first, 'projects')) {
      for (const p of page) {
        if (p?.project_id === undefined || typeof p.name !== 'string') ctx.http.fail('Harbor listed a project without project_id and name');
        yield { key: String(p.project_id), name: p.name, metadata: { public: p.metadata?.public === 'true', repositories: p.repo_count ?? null, url: `${ctx.config.url.replace(/\/+$/, '')}/harbor/projects/${p.project_id}/repositories` } };
      }
    }
  },

  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    // Harbor projects cannot be renamed, and the API addresses them by name
    const project = vep.name;
    const first = joinUrl(apiBase(ctx), `projects/${encodeURIComponent(project)}/repositories`, { page: 1, page_size: PAGE_SIZE, sort: 'name' });
    for await (const repos of harborList(ctx, first, `repositories of ${project}`)) {
      for (const r of repos) {
        // the list names repositories with their project prefix: "library/nginx"
        const full = String(r?.name ?? '');
        const repo = full.startsWith(`${project}/`) ? full.slice(project.length + 1) : full;
        if (!repo) ctx.http.fail(`Harbor listed a repository of ${project} without a name`);
        const artifact = await newestScanned(ctx, project, repo);
        if (!artifact) continue;
        const url = joinUrl(apiBase(ctx), `projects/${encodeURIComponent(project)}/repositories/${repoPath(repo)}/artifacts/${encodeURIComponent(artifact.digest)}/additions/vulnerabilities`);
        const { data } = await ctx.http.json<Record<string, any>>(url, { headers: headers(ctx) }, ctx.signal);
        const findings = normalizeHarborReport(data, {
          repository: full, digest: artifact.digest, tags: (artifact.tags ?? []).map((t: any) => t?.name).filter(Boolean),
          webUrl: `${ctx.config.url.replace(/\/+$/, '')}/harbor/projects/${artifact.project_id ?? vep.key}/repositories/${encodeURIComponent(repo)}/artifacts-tab/artifacts/${artifact.digest}`,
        }, (message) => ctx.http.fail(`Harbor: ${message} (${full}@${artifact.digest})`));
        if (findings.length) yield findings;
      }
    }
  },
};
