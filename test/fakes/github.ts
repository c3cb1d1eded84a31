// An in-memory GitHub REST API (2022-11-28) for one organization. A FakeFinding with a
// `componentName` becomes a Dependabot alert (its `cve` the advisory's CVE; GitHub gives no
// installed version, so `componentVersion` only shapes the vulnerable range; INFO has no advisory
// severity and renders as low); every other finding becomes a code-scanning alert (INFO renders
// as rule severity "none"). Numbering is per repository and per alert type, as on GitHub.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { Numbering, decodeCursor, encodeCursor, uuidFor } from './vendor-ids.ts';

const ORG = 'octo-org';
const ORG_ID = 9919;
const TOKEN = 'ghp_fakeGithubToken0123456789abcdefABCD';
const DOCS = 'https://docs.github.com/rest';

export interface GithubFake extends FakeTool {
  /** `no-analysis` → 404 "no analysis found"; `disabled` → 403 Advanced Security not enabled */
  setCodeScanning(repoKey: string, state: 'enabled' | 'no-analysis' | 'disabled'): void;
  setDependabotEnabled(repoKey: string, enabled: boolean): void;
  /** primary rate limit used up: 403 with x-ratelimit-remaining 0 until turned off */
  setRateLimitExhausted(on: boolean): void;
  /** an archived repository: `archived: true`, and Dependabot answers 403 "not available for archived repositories" */
  setArchived(repoKey: string, archived: boolean): void;
  /** the next `times` requests hit a secondary rate limit: 403 with Retry-After (seconds) */
  secondaryRateLimitNext(times: number, retryAfterSeconds: number): void;
}

const error = (status: number, message: string, docs = DOCS): FakeReply => ({ status, body: { message, documentation_url: docs, status: String(status) } });

/** `basePath` '/api/v3' makes it a GitHub Enterprise Server. */
export async function startGithubFake(opts: { basePath?: string } = {}): Promise<GithubFake> {
  const basePath = opts.basePath ?? '';
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const numbering = new Map<string, Numbering>();
  const codeScanning = new Map<string, 'enabled' | 'no-analysis' | 'disabled'>();
  const dependabotOff = new Set<string>();
  let rateLimited = false;
  const archivedRepos = new Set<string>();
  let secondaryLimited = { left: 0, retryAfter: 1 };

  const numberFor = (repo: string, type: string, id: string) => {
    const scope = `${repo}/${type}`;
    if (!numbering.has(scope)) numbering.set(scope, new Numbering());
    return numbering.get(scope)!.numberFor(id);
  };

  const repoJson = (p: FakeVep) => ({
    id: /^\d+$/.test(p.key) ? Number(p.key) : p.key,
    node_id: Buffer.from(`010:Repository${p.key}`).toString('base64'),
    name: p.name,
    full_name: `${ORG}/${p.name}`,
    owner: { login: ORG, id: ORG_ID, type: 'Organization', site_admin: false },
    private: true,
    html_url: `https://github.example/${ORG}/${p.name}`,
    fork: false,
    url: `${fake.url}${basePath}/repos/${ORG}/${p.name}`,
    archived: archivedRepos.has(p.key),
    disabled: false,
    visibility: 'private',
    default_branch: 'main',
    security_and_analysis: { advanced_security: { status: codeScanning.get(p.key) === 'disabled' ? 'disabled' : 'enabled' } },
  });

  const codeAlert = (repo: FakeVep, f: FakeFinding) => {
    const number = numberFor(repo.key, 'code-scanning', f.id);
    const state = f.state === 'fixed' ? 'fixed' : f.state === 'false_positive' || f.state === 'risk_accepted' ? 'dismissed' : 'open';
    return {
      number,
      created_at: '2024-03-01T10:00:00Z',
      updated_at: '2024-03-02T10:00:00Z',
      url: `${fake.url}${basePath}/repos/${ORG}/${repo.name}/code-scanning/alerts/${number}`,
      html_url: `https://github.example/${ORG}/${repo.name}/security/code-scanning/${number}`,
      state,
      fixed_at: state === 'fixed' ? '2024-03-05T08:00:00Z' : null,
      dismissed_by: state === 'dismissed' ? { login: 'octocat', id: 1, type: 'User', site_admin: false } : null,
      dismissed_at: state === 'dismissed' ? '2024-03-04T08:00:00Z' : null,
      dismissed_reason: f.state === 'false_positive' ? 'false positive' : f.state === 'risk_accepted' ? "won't fix" : null,
      dismissed_comment: state === 'dismissed' ? 'triaged by the team' : null,
      rule: {
        id: `js/rule-${f.id}`,
        severity: f.severity === 'INFO' ? 'none' : f.severity === 'LOW' ? 'note' : f.severity === 'MEDIUM' ? 'warning' : 'error',
        security_severity_level: f.severity === 'INFO' ? null : f.severity.toLowerCase(),
        tags: ['security', ...(f.cwe ? [`external/cwe/cwe-${String(f.cwe).padStart(3, '0')}`] : [])],
        description: f.title,
        name: `js/rule-${f.id}`,
      },
      tool: { name: 'CodeQL', guid: null, version: '2.16.2' },
      most_recent_instance: {
        ref: 'refs/heads/main',
        analysis_key: '.github/workflows/codeql.yml:analyze',
        category: '/language:javascript',
        environment: '{}',
        state,
        commit_sha: '39406e42cb832f683daa691dd652a8dc36ee8930',
        message: { text: f.description ?? '' },
        location: { path: f.filePath ?? '', start_line: f.line ?? 1, end_line: f.line ?? 1, start_column: 1, end_column: 10 },
        classifications: [],
      },
      instances_url: `${fake.url}${basePath}/repos/${ORG}/${repo.name}/code-scanning/alerts/${number}/instances`,
      assignees: [],
    };
  };

  const dependabotAlert = (repo: FakeVep, f: FakeFinding) => {
    const number = numberFor(repo.key, 'dependabot', f.id);
    const state = f.state === 'fixed' ? 'fixed' : f.state === 'false_positive' || f.state === 'risk_accepted' ? 'dismissed' : 'open';
    const ghsa = `GHSA-${uuidFor(`ghsa:${f.id}`).replace(/-/g, '').slice(0, 12).match(/.{4}/g)!.join('-')}`;
    const severity = f.severity === 'INFO' ? 'low' : f.severity.toLowerCase();
    const pkg = { ecosystem: 'npm', name: f.componentName! };
    const vulnerability = {
      package: pkg,
      severity,
      vulnerable_version_range: f.componentVersion ? `<= ${f.componentVersion}` : '< 99.0.0',
      first_patched_version: { identifier: '99.0.0' },
    };
    return {
      number,
      state,
      dependency: { package: pkg, manifest_path: f.filePath ?? 'package-lock.json', scope: 'runtime', relationship: 'direct' },
      security_advisory: {
        ghsa_id: ghsa,
        cve_id: f.cve ?? null,
        summary: f.title,
        description: f.description ?? '',
        vulnerabilities: [vulnerability],
        severity,
        cvss: { vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5 },
        cvss_severities: { cvss_v3: { vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5 }, cvss_v4: { vector_string: null, score: 0 } },
        epss: { percentage: 0.00045, percentile: '0.16001e0' },
        cwes: f.cwe ? [{ cwe_id: `CWE-${f.cwe}`, name: 'weakness' }] : [],
        identifiers: [{ type: 'GHSA', value: ghsa }, ...(f.cve ? [{ type: 'CVE', value: f.cve }] : [])],
        references: [{ url: `https://github.com/advisories/${ghsa}` }],
        published_at: '2023-10-03T21:13:54Z',
        updated_at: '2024-01-26T18:35:37Z',
        withdrawn_at: null,
      },
      security_vulnerability: vulnerability,
      url: `${fake.url}${basePath}/repos/${ORG}/${repo.name}/dependabot/alerts/${number}`,
      html_url: `https://github.example/${ORG}/${repo.name}/security/dependabot/${number}`,
      created_at: '2024-03-01T11:00:00Z',
      updated_at: '2024-03-02T11:00:00Z',
      dismissed_at: state === 'dismissed' ? '2024-03-04T08:00:00Z' : null,
      dismissed_by: state === 'dismissed' ? { login: 'octocat', id: 1, type: 'User', site_admin: false } : null,
      dismissed_reason: f.state === 'false_positive' ? 'inaccurate' : f.state === 'risk_accepted' ? 'tolerable_risk' : null,
      dismissed_comment: state === 'dismissed' ? 'triaged by the team' : null,
      fixed_at: state === 'fixed' ? '2024-03-05T08:00:00Z' : null,
      auto_dismissed_at: null,
      assignees: [],
    };
  };

  /** page/per_page pagination with GitHub's Link header (next, last; prev, first after page 1). */
  const pageReply = (req: FakeRequest, canonicalPath: string, keep: Record<string, string>, items: unknown[]): FakeReply => {
    const perPage = Math.min(Number(req.url.searchParams.get('per_page') ?? 30) || 30, 100, fake.pageSizeCap);
    const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => `${fake.url}${basePath}${canonicalPath}?${new URLSearchParams({ ...keep, per_page: String(perPage), page: String(p) })}`;
    const rels: string[] = [];
    if (page < lastPage) rels.push(`<${link(fake.loopingPagination ? 1 : page + 1)}>; rel="next"`, `<${link(lastPage)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
    return { body: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} };
  };

  /** Dependabot's cursor pagination: `after=<cursor>` in the Link header, no page numbers. */
  const cursorReply = (req: FakeRequest, canonicalPath: string, keep: Record<string, string>, items: unknown[]): FakeReply => {
    const perPage = Math.min(Number(req.url.searchParams.get('per_page') ?? 30) || 30, 100, fake.pageSizeCap);
    const offset = decodeCursor(req.url.searchParams.get('after'));
    if (offset === null) return error(400, 'Invalid after cursor', 'https://docs.github.com/rest/dependabot/alerts');
    const end = offset + perPage;
    const link = (params: Record<string, string>) => `${fake.url}${basePath}${canonicalPath}?${new URLSearchParams({ ...keep, per_page: String(perPage), ...params })}`;
    const rels: string[] = [];
    if (end < items.length) rels.push(`<${link(fake.loopingPagination ? {} : { after: encodeCursor(end) })}>; rel="next"`);
    if (offset > 0) rels.push(`<${link({ before: encodeCursor(offset) })}>; rel="prev"`);
    return { body: items.slice(offset, end), headers: rels.length ? { link: rels.join(', ') } : {} };
  };

  const findRepo = (segments: string[]): FakeVep | undefined => segments[0] === 'repositories'
    ? projects.find((p) => p.key === segments[1])
    : segments[0] === 'repos' && segments[1] === ORG ? projects.find((p) => p.name === segments[2]) : undefined;

  const handle = (req: FakeRequest): FakeReply => {
    if (!req.url.pathname.startsWith(basePath + '/')) return error(404, 'Not Found');
    const auth = req.headers.authorization ?? '';
    if (!auth) return error(401, 'Requires authentication');
    if (auth !== `Bearer ${TOKEN}` && auth !== `token ${TOKEN}`) return error(401, 'Bad credentials');
    if (rateLimited) {
      return { ...error(403, 'API rate limit exceeded for user ID 1.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'),
        headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': '1767225600', 'x-ratelimit-resource': 'core' } };
    }
    if (secondaryLimited.left > 0) {
      secondaryLimited.left--;
      return { ...error(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits'),
        headers: { 'retry-after': String(secondaryLimited.retryAfter), 'x-ratelimit-remaining': '4990' } };
    }
    const version = req.headers['x-github-api-version'];
    if (version && version !== '2022-11-28') return error(400, `Unsupported 'X-GitHub-Api-Version' header. The requested version "${version}" is not supported.`);
    if (req.method !== 'GET') return error(404, 'Not Found');

    const segments = req.url.pathname.slice(basePath.length + 1).split('/').map(decodeURIComponent);
    const [a, b, c] = segments;
    if (a === 'orgs' && b === ORG && segments.length === 2) return { body: { login: ORG, id: ORG_ID, name: 'Octo Org', type: 'Organization' } };
    if ((a === 'orgs' && b === ORG || a === 'organizations' && b === String(ORG_ID)) && c === 'repos' && segments.length === 3) {
      return pageReply(req, `/organizations/${ORG_ID}/repos`, { type: req.url.searchParams.get('type') ?? 'all' }, projects.map(repoJson));
    }
    const repo = findRepo(segments);
    const rest = segments.slice(segments[0] === 'repositories' ? 2 : 3).join('/');
    if (!repo) return error(404, 'Not Found');
    const canonical = `/repositories/${repo.key}/${rest}`;
    const list = findings.get(repo.key) ?? [];
    if (rest === 'code-scanning/alerts') {
      const mode = codeScanning.get(repo.key) ?? 'enabled';
      if (mode === 'no-analysis') return error(404, 'no analysis found', 'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository');
      if (mode === 'disabled') return error(403, 'Advanced Security must be enabled for this repository to use code scanning.', 'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository');
      return pageReply(req, canonical, {}, list.filter((f) => !f.componentName).map((f) => codeAlert(repo, f)));
    }
    if (rest === 'dependabot/alerts') {
      if (archivedRepos.has(repo.key)) return error(403, 'Dependabot alerts are not available for archived repositories.', 'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository');
      if (dependabotOff.has(repo.key)) return error(403, 'Dependabot alerts are disabled for this repository.', 'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository');
      const states = req.url.searchParams.get('state')?.split(',');
      const alerts = list.filter((f) => f.componentName).map((f) => dependabotAlert(repo, f)).filter((al) => !states || states.includes(al.state));
      const keep: Record<string, string> = states ? { state: states.join(',') } : {};
      return cursorReply(req, canonical, keep, alerts);
    }
    return error(404, 'Not Found');
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 100 });
  return {
    ...fakeControls(fake),
    kind: 'github',
    url: fake.url + basePath,
    token: TOKEN,
    options: { organization: ORG },
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    setCodeScanning(repoKey, state) { codeScanning.set(repoKey, state); },
    setDependabotEnabled(repoKey, enabled) { if (enabled) dependabotOff.delete(repoKey); else dependabotOff.add(repoKey); },
    setRateLimitExhausted(on) { rateLimited = on; },
    setArchived(repoKey, archived) { if (archived) archivedRepos.add(repoKey); else archivedRepos.delete(repoKey); },
    secondaryRateLimitNext(times, retryAfterSeconds) { secondaryLimited = { left: times, retryAfter: retryAfterSeconds }; },
  };
}
