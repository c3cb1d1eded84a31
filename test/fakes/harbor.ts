// An in-memory Harbor v2.0 API written from goharbor/harbor's api/v2.0/swagger.yaml: Basic auth
// (a robot account), lists paged by page/page_size with `X-Total-Count` and a `Link` header
// (`<…>; rel="prev" , <…>; rel="next"`, as Harbor's handler writes it), errors as
// `{"errors":[{"code","message"}]}`, repository names double-encoded in paths, artifacts with
// `scan_overview` keyed by report MIME type, and the `additions/vulnerabilities` report.
//
// How test findings become Harbor data: a FakeFinding's `filePath` names the repository its image
// lives in (sanitized to Harbor's charset; "app" when absent). Each repository holds three
// artifacts: an old scanned one with a stale finding (what a client must not read), the newest
// scanned one carrying the findings, and a newer push whose scan is still running.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { createHash } from 'node:crypto';

const USER = 'robot$tributary';
const SECRET = 'Hb7x9QeR2mTz4LkW8pVn3sYc6DfJ1gAu';
const MIME = 'application/vnd.security.vulnerability.report; version=1.1';
const SEVERITY: Record<string, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', INFO: 'Negligible' };
export const HARBOR_EPOCH = Date.parse('2024-04-01T00:00:00Z');

const errors = (status: number, code: string, message: string): FakeReply => ({ status, body: { errors: [{ code, message }] } });

/** The repository a finding's image lives in. */
export function harborRepositoryOf(f: FakeFinding): string {
  return (f.filePath ?? 'app').toLowerCase().replace(/[^a-z0-9._/-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app';
}

export async function startHarborFake(): Promise<FakeTool> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  let nextOrigin: string | null = null;

  const http = await startHttpFake((req) => route(req), { pageSizeCap: 100 });

  function route(req: FakeRequest): FakeReply {
    const expected = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return errors(401, 'UNAUTHORIZED', 'unauthorized');
    // Harbor matches paths on the raw (still encoded) URL: a repository "a/b" arrives as a%252Fb
    const raw = req.url.pathname;
    if (!raw.startsWith('/api/v2.0/')) return errors(404, 'NOT_FOUND', `${raw} not found`);
    const parts = raw.slice('/api/v2.0/'.length).split('/');
    if (parts.length === 1 && parts[0] === 'projects') return list(req, projects.map(renderProject));
    if (parts[0] !== 'projects' || parts.length < 3) return errors(404, 'NOT_FOUND', 'not found');
    const project = projects.find((p) => p.name === decodeURIComponent(parts[1]!));
    if (!project) return errors(403, 'FORBIDDEN', 'forbidden');
    if (parts.length === 3 && parts[2] === 'repositories') {
      return list(req, repositories(project).map((name, i) => ({
        id: Number(project.key) * 100 + i, project_id: Number(project.key), name: `${project.name}/${name}`, description: '',
        artifact_count: 3, pull_count: 12, creation_time: '2024-03-01T08:00:00.000Z', update_time: '2024-04-02T08:00:00.000Z',
      })));
    }
    if (parts[2] !== 'repositories' || parts.length < 5) return errors(404, 'NOT_FOUND', 'not found');
    // the swagger's rule: a name with a slash is encoded twice (a/b → a%252Fb); once is not enough
    if (decodeURIComponent(parts[3]!).includes('/')) return errors(404, 'NOT_FOUND', 'repository not found: a slash in a repository name must be encoded twice');
    const repo = decodeURIComponent(decodeURIComponent(parts[3]!));
    if (!repositories(project).includes(repo)) return errors(404, 'NOT_FOUND', `repository ${project.name}/${repo} not found`);
    const artifacts = artifactsOf(project, repo);
    if (parts.length === 5 && parts[4] === 'artifacts') {
      const sorted = req.url.searchParams.get('sort') === '-push_time' ? [...artifacts].sort((a, b) => b.pushed - a.pushed) : artifacts;
      const withOverview = req.url.searchParams.get('with_scan_overview') === 'true';
      return list(req, sorted.map((a) => renderArtifact(project, repo, a, withOverview)));
    }
    if (parts.length === 8 && parts[4] === 'artifacts' && parts[6] === 'additions' && parts[7] === 'vulnerabilities') {
      const a = artifacts.find((x) => x.digest === decodeURIComponent(parts[5]!));
      if (!a) return errors(404, 'NOT_FOUND', `artifact ${project.name}/${repo}@${decodeURIComponent(parts[5]!)} not found`);
      if (a.status !== 'Success') return { body: {} };
      return {
        body: {
          [MIME]: {
            generated_at: new Date(a.pushed + 600_000).toISOString(),
            scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.50.1' },
            severity: 'High',
            vulnerabilities: a.findings.map(renderVulnerability),
          },
        },
      };
    }
    return errors(404, 'NOT_FOUND', 'not found');
  }

  function repositories(project: FakeVep): string[] {
    return [...new Set((findings.get(project.key) ?? []).map(harborRepositoryOf))].sort();
  }

  interface FakeArtifact { digest: string; pushed: number; status: string; findings: FakeFinding[] }

  function artifactsOf(project: FakeVep, repo: string): FakeArtifact[] {
    const current = (findings.get(project.key) ?? []).filter((f) => harborRepositoryOf(f) === repo);
    const digest = (n: string) => `sha256:${createHash('sha256').update(`${project.key}/${repo}/${n}`).digest('hex')}`;
    return [
      { digest: digest('old'), pushed: HARBOR_EPOCH, status: 'Success', findings: [{ id: 'stale', title: 'stale', severity: 'HIGH', cve: 'CVE-2019-0001', componentName: 'openssl', componentVersion: '1.0.2' }] },
      { digest: digest('current'), pushed: HARBOR_EPOCH + 86_400_000, status: 'Success', findings: current },
      { digest: digest('pending'), pushed: HARBOR_EPOCH + 2 * 86_400_000, status: 'Running', findings: [] },
    ];
  }

  /** page/page_size (default 10, at most 100) with X-Total-Count and Link, as Harbor's BaseAPI.Links writes them. */
  function list(req: FakeRequest, rows: unknown[]): FakeReply {
    const q = req.url.searchParams;
    const page = Number(q.get('page') ?? 1);
    const size = Number(q.get('page_size') ?? 10);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > 100) return errors(400, 'BAD_REQUEST', 'validation failure: page must be >= 1 and page_size between 1 and 100');
    const served = Math.min(size, http.pageSizeCap);
    const link = (p: number) => {
      const u = new URL(req.url.pathname + req.url.search, nextOrigin ?? http.url);
      u.searchParams.set('page', String(http.loopingPagination ? 1 : p));
      u.searchParams.set('page_size', String(served));
      // Harbor writes the path alone, relative to its own host, unless the origin is overridden
      return nextOrigin ? u.toString() : `${u.pathname}${u.search}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page * served < rows.length) links.push(`<${link(page + 1)}>; rel="next"`);
    return { body: rows.slice((page - 1) * served, page * served), headers: { 'x-total-count': String(rows.length), ...(links.length ? { link: links.join(' , ') } : {}) } };
  }

  function renderArtifact(project: FakeVep, repo: string, a: FakeArtifact, withOverview: boolean) {
    return {
      id: Number(project.key) * 1000 + Math.floor((a.pushed - HARBOR_EPOCH) / 86_400_000),
      type: 'IMAGE',
      media_type: 'application/vnd.docker.container.image.v1+json',
      manifest_media_type: 'application/vnd.docker.distribution.manifest.v2+json',
      project_id: Number(project.key),
      repository_id: Number(project.key) * 100,
      repository_name: `${project.name}/${repo}`,
      digest: a.digest,
      size: 31_415_926,
      push_time: new Date(a.pushed).toISOString(),
      pull_time: new Date(a.pushed + 3_600_000).toISOString(),
      extra_attrs: { architecture: 'amd64', os: 'linux' },
      tags: [{ id: 1, name: a.status === 'Running' ? 'latest' : `1.${Math.floor((a.pushed - HARBOR_EPOCH) / 86_400_000)}`, push_time: new Date(a.pushed).toISOString(), immutable: false }],
      addition_links: { vulnerabilities: { absolute: false, href: `/api/v2.0/projects/${project.name}/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts/${a.digest}/additions/vulnerabilities` } },
      ...(withOverview ? {
        scan_overview: {
          [MIME]: {
            report_id: `report-${a.digest.slice(7, 15)}`, scan_status: a.status, severity: a.status === 'Success' ? 'High' : '', duration: 12,
            start_time: new Date(a.pushed + 60_000).toISOString(), end_time: a.status === 'Success' ? new Date(a.pushed + 600_000).toISOString() : '0001-01-01T00:00:00.000Z',
            complete_percent: a.status === 'Success' ? 100 : 40, scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.50.1' },
            summary: { total: a.findings.length, fixable: a.findings.filter((f) => f.state !== 'risk_accepted').length, summary: {} },
          },
        },
      } : {}),
    };
  }

  function renderVulnerability(f: FakeFinding) {
    const score = { CRITICAL: 9.8, HIGH: 7.5, MEDIUM: 5.3, LOW: 3.1, INFO: 0 }[f.severity];
    return {
      id: f.cve ?? `CVE-2024-${String(10000 + Math.abs(hashInt(f.id)) % 90000)}`,
      package: f.componentName ?? `pkg-${f.id}`,
      version: f.componentVersion ?? '1.0.0',
      fix_version: f.state === 'risk_accepted' ? '' : '9.9.9',
      severity: SEVERITY[f.severity],
      description: f.description ?? f.title,
      links: [`https://avd.aquasec.com/nvd/${(f.cve ?? f.id).toLowerCase()}`],
      artifact_digests: [],
      preferred_cvss: { score_v3: score || null, score_v2: null, vector_v3: score ? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' : '', vector_v2: '' },
      cwe_ids: f.cwe ? [`CWE-${f.cwe}`] : [],
      vendor_attributes: { CVSS: { nvd: { V3Score: score, V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' } } },
    };
  }

  return {
    ...fakeControls(http),
    kind: 'harbor',
    url: http.url,
    token: SECRET,
    options: { username: USER },
    setProjects(list) {
      for (const p of list) {
        if (!/^\d+$/.test(p.key)) throw new Error(`Harbor project ids are integers, not ${p.key}`);
        if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(p.name)) throw new Error(`"${p.name}" is not a Harbor project name (lower-case letters, digits, . _ -)`);
      }
      projects = [...list];
    },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    setNextLinkOrigin(origin) { nextOrigin = origin; },
    projectKey: (n) => String(n),
  };
}

function hashInt(s: string): number {
  return createHash('sha1').update(s).digest().readInt32BE(0);
}

function renderProject(p: FakeVep) {
  return {
    project_id: Number(p.key), owner_id: 1, name: p.name, registry_id: null,
    creation_time: '2024-03-01T08:00:00.000Z', update_time: '2024-03-01T08:00:00.000Z', deleted: false, owner_name: 'admin',
    togglable: true, current_user_role_ids: null, repo_count: 0,
    metadata: { public: 'false', auto_scan: 'true', severity: 'low', prevent_vul: 'false', reuse_sys_cve_allowlist: 'true' },
    cve_allowlist: { id: 0, project_id: Number(p.key), items: [], creation_time: '0001-01-01T00:00:00.000Z', update_time: '0001-01-01T00:00:00.000Z' },
  };
}
