// An in-memory Semgrep AppSec Platform API v1 for one deployment, written from Semgrep's API
// reference and its pagination article: Bearer token auth, `/deployments`, projects and findings
// paged by 0-based `page` and `page_size` with no total and no next link (a list ends on an empty
// page), findings filtered by `issue_type` and `repos` (repository names). Error bodies are
// `{"error": "…"}` as clients of the API report them (the API reference shows no error schema).
//
// A FakeFinding with a `componentName` is a Supply Chain (sca) finding, any other a Code (sast)
// one. Semgrep's triage: false_positive → ignored with reason false_positive, risk_accepted →
// ignored with reason acceptable_risk, fixed → status fixed.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { Numbering } from './vendor-ids.ts';
import { createHash } from 'node:crypto';

const TOKEN = 'sgp_0f1e2d3c4b5a69788796a5b4c3d2e1f0aabbccdd';
const SLUG = 'acme-corp';
export const SEMGREP_EPOCH = Date.parse('2024-08-01T10:00:00Z');

export async function startSemgrepFake(): Promise<FakeTool> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const ids = new Numbering();

  const http = await startHttpFake((req) => route(req), { pageSizeCap: 3000 });

  function route(req: FakeRequest): FakeReply {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, body: { error: 'Invalid or expired API token' } };
    const parts = req.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v1') return { status: 404, body: { error: 'Not found' } };
    if (parts.length === 3 && parts[2] === 'deployments') return { body: { deployments: [{ id: 4242, slug: SLUG, name: 'Acme Corp', findings: { url: `https://semgrep.dev/orgs/${SLUG}/findings` } }] } };
    if (parts[2] !== 'deployments' || parts.length !== 5) return { status: 404, body: { error: 'Not found' } };
    if (parts[3] !== SLUG) return { status: 404, body: { error: `Deployment ${parts[3]} not found` } };
    if (parts[4] === 'projects') return page(req, projects.map(renderProject), 'projects');
    if (parts[4] === 'findings') {
      const issueType = req.url.searchParams.get('issue_type') ?? 'sast';
      if (issueType !== 'sast' && issueType !== 'sca') return { status: 400, body: { error: `issue_type must be sast or sca, got ${issueType}` } };
      const repos = req.url.searchParams.get('repos')?.split(',');
      const rows = projects
        .filter((p) => !repos || repos.includes(p.name))
        .flatMap((p) => (findings.get(p.key) ?? []).filter((f) => (issueType === 'sca') === !!f.componentName).map((f) => renderFinding(p, f, issueType)));
      return page(req, rows, 'findings');
    }
    return { status: 404, body: { error: 'Not found' } };
  }

  function page(req: FakeRequest, rows: unknown[], key: string): FakeReply {
    const q = req.url.searchParams;
    const n = Number(q.get('page') ?? 0);
    const size = Number(q.get('page_size') ?? 100);
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(size) || size < 1 || size > 3000) return { status: 400, body: { error: 'page must be >= 0 and page_size between 1 and 3000' } };
    const served = Math.min(size, http.pageSizeCap);
    // a looping server keeps answering the first page
    const start = http.loopingPagination ? 0 : n * served;
    return { body: { [key]: rows.slice(start, start + served) } };
  }

  function renderProject(p: FakeVep) {
    return {
      id: Number(p.key), name: p.name, url: `https://github.com/${p.name}`, tags: ['team:payments'],
      created_at: '2024-01-15T09:30:00.000000Z', latest_scan_at: '2024-08-01T10:00:00.000000Z', primary_branch: 'refs/heads/main', default_branch: 'refs/heads/main',
    };
  }

  function renderFinding(p: FakeVep, f: FakeFinding, issueType: string) {
    const id = ids.numberFor(`${p.key}/${f.id}`) + 73_537_000;
    const state = f.state ?? 'open';
    const ruleName = `${issueType === 'sca' ? 'ssc' : 'python.lang.security'}.${f.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    const ignored = state === 'false_positive' || state === 'risk_accepted';
    const matchBasedId = createHash('sha512').update(`${p.name}|${ruleName}|${f.filePath}|${f.id}`).digest('hex').slice(0, 84);
    return {
      id,
      ref: 'main',
      syntactic_id: createHash('md5').update(`${id}`).digest('hex'),
      match_based_id: matchBasedId,
      repository: { name: p.name, url: `https://github.com/${p.name}` },
      line_of_code_url: `https://github.com/${p.name}/blob/71bbed12f950de8335006d7f91112263d8504f1b/${f.filePath ?? 'package-lock.json'}#L${f.line ?? 1}`,
      first_seen_scan_id: 30_469_983,
      state: state === 'fixed' ? 'fixed' : ignored ? 'muted' : 'unresolved',
      triage_state: ignored ? 'ignored' : state === 'fixed' ? 'fixed' : 'untriaged',
      status: ignored ? 'ignored' : state === 'fixed' ? 'fixed' : 'open',
      confidence: 'high',
      created_at: new Date(SEMGREP_EPOCH).toISOString(),
      relevant_since: new Date(SEMGREP_EPOCH).toISOString(),
      rule_name: ruleName,
      rule_message: f.description ?? f.title,
      location: { file_path: f.filePath ?? 'package-lock.json', line: f.line ?? 1, column: 10, end_line: (f.line ?? 1) + 2, end_column: 65 },
      triaged_at: ignored ? '2024-08-02T11:00:00.000000Z' : null,
      triage_comment: ignored ? 'reviewed with the team' : null,
      triage_reason: state === 'false_positive' ? 'false_positive' : state === 'risk_accepted' ? 'acceptable_risk' : null,
      state_updated_at: state === 'open' ? null : '2024-08-02T11:00:00.000000Z',
      categories: ['security'],
      rule: {
        name: ruleName, message: f.description ?? f.title, confidence: 'high', category: 'security', subcategories: ['vuln'],
        vulnerability_classes: [f.title],
        cwe_names: f.cwe ? [`CWE-${f.cwe}: ${f.title}`] : [],
        owasp_names: ['A03:2021 - Injection'],
      },
      severity: f.severity === 'INFO' ? 'low' : f.severity.toLowerCase(),
      ...(issueType === 'sca' ? {
        vulnerability_identifier: f.cve ?? `GHSA-${f.id.slice(0, 4).padEnd(4, 'x')}-2c8m-q3fv`,
        reachability: 'reachable',
        found_dependency: { package: f.componentName, version: f.componentVersion ?? '1.0.0', ecosystem: 'npm', transitivity: 'direct', lockfile_line_url: `https://github.com/${p.name}/blob/main/package-lock.json#L12` },
        fix_recommendations: [{ package: f.componentName, version: '9.9.9' }],
      } : {}),
    };
  }

  return {
    ...fakeControls(http),
    kind: 'semgrep',
    url: http.url,
    token: TOKEN,
    options: { deploymentSlug: SLUG },
    setProjects(list) {
      for (const p of list) if (!/^\d+$/.test(p.key)) throw new Error(`Semgrep project ids are integers, not ${p.key}`);
      projects = [...list];
    },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    projectKey: (n) => String(500_000 + n),
  };
}
