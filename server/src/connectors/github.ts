// GitHub (github.com or Enterprise Server): one VEP per repository of an organization; findings are
// its code-scanning alerts plus its Dependabot alerts (research/connectors.md §3).
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { joinUrl, nextLink, pageGuard, type HttpResponse } from './http.ts';
import { normalizeCodeScanningAlert, normalizeDependabotAlert } from './github-alerts.ts';
import { sameOriginNext } from './next-page.ts';

const API_VERSION = '2022-11-28';
// GitHub's largest page for repos and both alert lists
const PAGE_SIZE = 100;

function headers(ctx: KindContext): Record<string, string> {
  return {
    authorization: `Bearer ${ctx.config.secret ?? ''}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': API_VERSION,
  };
}

function organization(ctx: KindContext): string {
  return String(ctx.config.options.organization ?? '').trim();
}

/**
 * Every page of a Link-paginated list (page numbers for repos and code scanning, `after=` cursors
 * for Dependabot: either way only rel="next" is followed). A body that is not an array, or a next
 * link seen before, throws. `absent` turns a "feature not enabled" answer into an empty list.
 */
async function* linkPages(ctx: KindContext, firstUrl: string, absent?: (res: HttpResponse) => boolean): AsyncGenerator<any[]> {
  const guard = pageGuard(ctx.http);
  let url: string | null = firstUrl;
  while (url) {
    guard(url);
    const res = await ctx.http.request(url, { headers: headers(ctx), accept: [403, 404] }, ctx.signal);
    if (res.status === 403 || res.status === 404) {
      if (url === firstUrl && absent?.(res)) return;
      failFor(ctx, res);
    }
    const page = ctx.http.parseJson<unknown>(res);
    if (!Array.isArray(page)) ctx.http.fail(`GitHub answered ${redactPath(url)} with ${typeof page}, not a list`);
    yield page;
    const next = nextLink(res.headers.get('link'));
    url = next ? sameOriginNext(ctx.http, next, url, ctx.config.url) : null;
  }
}

function message(res: HttpResponse): string {
  try { return String(JSON.parse(res.body)?.message ?? ''); } catch { return ''; }
}

function failFor(ctx: KindContext, res: HttpResponse): never {
  if (res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'later';
    ctx.http.fail(`GitHub rate limit exhausted; it resets at ${when}`, 403);
  }
  const hint = res.status === 403
    ? ' (the token lacks a permission: it needs "Code scanning alerts: read" and "Dependabot alerts: read", or the security_events scope)'
    : ' (not found: check the organization, the URL and that the token can see it)';
  ctx.http.fail(`${res.status} from GitHub${hint}: ${message(res) || 'no message'} (${redactPath(res.url)})`, res.status);
}

// 404 "no analysis found": the repository was never scanned. 403 "Advanced Security must be
// enabled" / "Dependabot alerts are disabled": the feature is off. Both mean zero alerts of that
// type. Dependabot answers an archived repository with 403 "Dependabot alerts are not available
// for archived repositories.": it has no Dependabot alerts to read, not a sync failure. Any other
// 403/404 (a missing permission, a vanished repository) is a failure.
const noCodeScanning = (res: HttpResponse) =>
  (res.status === 404 && /no analysis found/i.test(message(res)))
  || (res.status === 403 && /advanced security must be enabled|code scanning is not enabled/i.test(message(res)));
const noDependabot = (res: HttpResponse) =>
  res.status === 403 && /dependabot alerts are (disabled|not enabled)|not available for archived repositor/i.test(message(res));

function redactPath(url: string): string {
  try { return new URL(url).pathname; } catch { return ''; }
}

export const githubKind: ConnectorKind = {
  id: 'github',
  label: 'GitHub',
  fields: [
    { name: 'url', label: 'API URL', type: 'url', required: true, secret: false, help: 'https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server' },
    { name: 'secret', label: 'Token', type: 'password', required: true, secret: true, help: 'Fine-grained token with "Code scanning alerts: read" and "Dependabot alerts: read", or a classic token with security_events' },
    { name: 'organization', label: 'Organization', type: 'string', required: true, secret: false, help: 'Every repository of this organization is one project' },
  ],
  /*
   * unique_id_from_tool: an alert keeps its number for life, while its line moves with every edit
   * above it, so a hash over file and line would close and re-open the same alert. The hash fields
   * only feed hash_code for display and cross-tool matching.
   */
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'cwe', 'file_path', 'line', 'component_name', 'vulnerability_ids'] },

  validateOptions(options, url) {
    if (typeof options.organization !== 'string' || !options.organization.trim()) return 'organization: the GitHub organization login is required';
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(options.organization.trim())) return `organization: "${options.organization}" is not a GitHub login`;
    try {
      if (new URL(url).hostname === 'github.com') return 'url: use https://api.github.com (the API host), not https://github.com';
    } catch {
      return 'url: not a valid URL';
    }
    return null;
  },

  async testConnection(ctx) {
    const org = organization(ctx);
    const res = await ctx.http.request(joinUrl(ctx.config.url, `orgs/${encodeURIComponent(org)}`), { headers: headers(ctx), accept: [404] }, ctx.signal);
    if (res.status === 404) ctx.http.fail(`GitHub has no organization "${org}" visible to this token`, 404);
    const body = ctx.http.parseJson<any>(res);
    return `Connected to GitHub organization ${body.login ?? org}${body.name ? ` (${body.name})` : ''}`;
  },

  async *discover(ctx): AsyncGenerator<Vep> {
    const first = joinUrl(ctx.config.url, `orgs/${encodeURIComponent(organization(ctx))}/repos`, { type: 'all', per_page: PAGE_SIZE });
    for await (const page of linkPages(ctx, first)) {
      for (const repo of page) {
        if (repo?.id === undefined || repo?.id === null) ctx.http.fail('GitHub listed a repository without an id');
        yield {
          key: String(repo.id),
          name: String(repo.name ?? repo.full_name ?? repo.id),
          metadata: {
            fullName: repo.full_name ?? null,
            webUrl: repo.html_url ?? null,
            visibility: repo.visibility ?? (repo.private ? 'private' : 'public'),
            archived: repo.archived ?? false,
            defaultBranch: repo.default_branch ?? null,
            advancedSecurity: repo.security_and_analysis?.advanced_security?.status ?? null,
          },
        };
      }
    }
  },

  // /repositories/{id}/… is GitHub's id-addressed form of /repos/{owner}/{repo}/… (its own next
  // links use it), so a renamed or transferred repository keeps syncing under the same key.
  async *fetchFindings(ctx, vep): AsyncGenerator<NormalizedFinding[]> {
    const repo = `repositories/${encodeURIComponent(vep.key)}`;
    const codeScanning = joinUrl(ctx.config.url, `${repo}/code-scanning/alerts`, { per_page: PAGE_SIZE });
    for await (const page of linkPages(ctx, codeScanning, noCodeScanning)) {
      if (page.length) yield page.map((a) => normalizeCodeScanningAlert(vep.key, a));
    }
    const dependabot = joinUrl(ctx.config.url, `${repo}/dependabot/alerts`, { state: 'auto_dismissed,dismissed,fixed,open', per_page: PAGE_SIZE });
    for await (const page of linkPages(ctx, dependabot, noDependabot)) {
      if (page.length) yield page.map((a) => normalizeDependabotAlert(vep.key, a));
    }
  },
};
