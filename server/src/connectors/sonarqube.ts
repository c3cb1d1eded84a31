// SonarQube Server (9.9 LTS → 2025.x) and SonarCloud: projects are the VEPs; vulnerability issues
// and security hotspots are the findings (research/connectors.md §1).
import { joinUrl } from './http.ts';
import type { ConnectorKind, NormalizedFinding, Vep } from './kind.ts';
import { componentPaths, hotspotRuleKey, normalizeHotspot, normalizeIssue, ruleLookup } from './sonarqube-findings.ts';
import { searchAll, sonarAuth, splitByCreationDate, splitByHotspotStatus, splitBySeverity, type SonarSearch } from './sonarqube-search.ts';

// `api/components/search` needs only Browse; `api/projects/search` needs Administer System.
const PROJECTS: SonarSearch = { path: 'api/components/search', itemsKey: 'components', splitters: [] };
const ISSUES: SonarSearch = { path: 'api/issues/search', itemsKey: 'issues', splitters: [splitBySeverity, splitByCreationDate] };
const HOTSPOTS: SonarSearch = { path: 'api/hotspots/search', itemsKey: 'hotspots', splitters: [splitByHotspotStatus] };

export const sonarqubeKind: ConnectorKind = {
  id: 'sonarqube',
  label: 'SonarQube / SonarCloud',
  fields: [
    { name: 'url', label: 'Server URL', type: 'url', required: true, secret: false, help: 'The server root, e.g. https://sonar.example.com (the API is under /api/)' },
    { name: 'secret', label: 'User token', type: 'password', required: true, secret: true, help: 'A user token (My Account → Security) of a user with Browse on the projects to import' },
    { name: 'organization', label: 'Organization', type: 'string', required: false, secret: false, help: 'SonarCloud only: the organization key' },
  ],
  // SonarQube tracks each issue across analyses itself, so its key survives code moving lines;
  // DefectDojo's SonarQube hash [title, file_path, line] would close and reopen an issue every time
  // code above it is edited. The hash fields are still computed for display and cross-tool views.
  dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'file_path', 'line'] },

  validateOptions(options, url) {
    const organization = options.organization;
    if (organization !== undefined && organization !== null && typeof organization !== 'string') return 'organization must be a string';
    if (!organization && /(^|\.)sonarcloud\.io$/i.test(safeHost(url))) return 'organization is required for SonarCloud';
    return null;
  },

  async testConnection(ctx) {
    const headers = sonarAuth(ctx);
    const { data: user } = await ctx.http.json<{ isLoggedIn?: boolean; login?: string }>(joinUrl(ctx.config.url, 'api/users/current'), { headers }, ctx.signal);
    if (!user?.isLoggedIn) ctx.http.fail('SonarQube treated the request as anonymous: the token was not accepted; create a user token under My Account → Security');
    const version = (await ctx.http.request(joinUrl(ctx.config.url, 'api/server/version'), { headers }, ctx.signal)).body.trim();
    return `Connected to SonarQube ${version || '(unknown version)'} as ${user.login}`;
  },

  async *discover(ctx): AsyncIterable<Vep> {
    for await (const page of searchAll(ctx, PROJECTS, { qualifiers: 'TRK' })) {
      for (const c of page.items) yield { key: String(c.key), name: String(c.name ?? c.key), metadata: c.visibility ? { visibility: c.visibility } : undefined };
    }
  },

  async *fetchFindings(ctx, vep): AsyncIterable<NormalizedFinding[]> {
    const rule = ruleLookup(ctx);
    // `componentKeys` and `projectKey` are the names every version from 9.9 accepts (renamed in 10.2,
    // old names still honoured). All statuses are fetched so vendor-side resolutions carry over.
    const issueQuery = { componentKeys: vep.key, types: 'VULNERABILITY', s: 'CREATION_DATE', asc: 'true' };
    for await (const page of searchAll(ctx, ISSUES, issueQuery)) {
      const paths = componentPaths(page.body);
      yield await normalizePage(page.items, (issue) => rule(issue.rule), (issue, r) => normalizeIssue(ctx, vep.key, issue, paths, r));
    }
    for await (const page of searchAll(ctx, HOTSPOTS, { projectKey: vep.key })) {
      const paths = componentPaths(page.body);
      yield await normalizePage(page.items, (h) => rule(hotspotRuleKey(h)), (h, r) => normalizeHotspot(ctx, vep.key, h, paths, r));
    }
  },
};

async function normalizePage<R>(items: Array<Record<string, any>>, ruleOf: (item: Record<string, any>) => Promise<R>, map: (item: Record<string, any>, rule: R) => NormalizedFinding): Promise<NormalizedFinding[]> {
  const out: NormalizedFinding[] = [];
  for (const item of items) out.push(map(item, await ruleOf(item)));
  return out;
}

function safeHost(url: string): string {
  try { return new URL(url).hostname; } catch { return ''; }
}
