// An in-memory Dependency-Track 4.14 API server: `X-Api-Key` auth (a bad or missing key is a bare
// 401, as Alpine's AuthenticationFilter answers), projects as a bare JSON array paged by
// pageNumber/pageSize (or offset/limit) with the total in `X-Total-Count`, and the unpaginated
// finding list that hides suppressed findings unless `suppressed=true`.
import { createHash, randomBytes } from 'node:crypto';
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';

export const DT_VERSION = '4.14.3';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RANK: Record<string, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFO: 4 };
const CVSS: Record<string, { score: number; vector: string } | undefined> = {
  CRITICAL: { score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
  HIGH: { score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
  MEDIUM: { score: 5.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
  LOW: { score: 3.1, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' },
};
/** finding n of a project was attributed n hours after this */
export const DT_EPOCH = Date.parse('2024-02-01T00:00:00Z');

export async function startDependencyTrackFake(): Promise<FakeTool> {
  const token = `odt_${randomBytes(16).toString('hex')}`;
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();

  const http = await startHttpFake((req) => route(req), { pageSizeCap: 500 });

  function route(req: FakeRequest): FakeReply {
    const path = req.url.pathname.replace(/\/+$/, '');
    const q = req.url.searchParams;
    if (path === '/api/version') {
      return { body: { application: 'Dependency-Track', version: DT_VERSION, timestamp: '2025-06-01T12:00:00Z', uuid: dtUuid('build'), systemUuid: dtUuid('system'), framework: { name: 'Alpine', version: '3.2.0' } } };
    }
    if (req.headers['x-api-key'] !== token) return { status: 401, body: '' };
    if (path === '/api/v1/project') return listProjects(q);
    const m = /^\/api\/v1\/finding\/project\/([^/]+)$/.exec(path);
    if (m) return listFindings(decodeURIComponent(m[1]!), q);
    return { status: 404, body: 'HTTP 404 Not Found' };
  }

  function listProjects(q: URLSearchParams): FakeReply {
    const list = projects.map((p) => renderProject(p));
    if (q.get('sortName') === 'name') {
      list.sort((a, b) => a.name.localeCompare(b.name));
      if (q.get('sortOrder') === 'desc') list.reverse();
    }
    const limit = Math.min(Number(q.get('pageSize') ?? q.get('limit') ?? 100), http.pageSizeCap);
    const offset = q.has('offset') ? Number(q.get('offset')) : (Number(q.get('pageNumber') ?? 1) - 1) * limit;
    const start = http.loopingPagination ? 0 : offset;
    return { body: list.slice(start, start + limit), headers: { 'x-total-count': String(list.length) } };
  }

  function listFindings(uuid: string, q: URLSearchParams): FakeReply {
    if (!UUID.test(uuid)) return { status: 400, body: [{ message: 'Invalid UUID', messageTemplate: 'Invalid UUID', path: 'uuid', invalidValue: uuid }] };
    if (!projects.some((p) => p.key === uuid)) return { status: 404, body: 'The project could not be found.' };
    let list = (findings.get(uuid) ?? []).map((f, i) => renderFinding(uuid, f, i));
    if (q.get('suppressed') !== 'true') list = list.filter((f) => !f.analysis.isSuppressed);
    return { body: list, headers: { 'x-total-count': String(list.length) } };
  }

  return {
    ...fakeControls(http),
    kind: 'dependency-track',
    url: http.url,
    token,
    options: {},
    setProjects(list) {
      for (const p of list) if (!UUID.test(p.key)) throw new Error(`Dependency-Track project keys are UUIDs, not ${p.key}`);
      projects = [...list];
    },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
  };
}

/** A fake project's name and version: "name@version" in FakeVep.name, else the name alone. */
function renderProject(p: FakeVep) {
  const [name, version] = p.name.includes('@') ? [p.name.slice(0, p.name.lastIndexOf('@')), p.name.slice(p.name.lastIndexOf('@') + 1)] : [p.name, undefined];
  return {
    name, ...(version ? { version } : {}), classifier: 'APPLICATION', uuid: p.key, active: true, isLatest: true, tags: [],
    lastBomImport: DT_EPOCH, lastBomImportFormat: 'CycloneDX 1.5', lastInheritedRiskScore: 0,
  };
}

/** the component of a finding: "group:name" splits like a Maven coordinate */
function componentOf(f: FakeFinding) {
  const full = f.componentName ?? `component-${f.id}`;
  const cut = full.lastIndexOf(':');
  return cut > 0 ? { group: full.slice(0, cut), name: full.slice(cut + 1) } : { name: full };
}

export function dtMatrix(projectUuid: string, f: FakeFinding): string {
  const c = componentOf(f);
  return `${projectUuid}:${dtUuid(`${projectUuid}/${c.group ?? ''}/${c.name}@${f.componentVersion ?? ''}`)}:${dtUuid(`vuln/${f.id}`)}`;
}

export function dtPurl(f: FakeFinding): string {
  const c = componentOf(f);
  return c.group ? `pkg:maven/${c.group}/${c.name}@${f.componentVersion ?? ''}` : `pkg:npm/${c.name}@${f.componentVersion ?? ''}`;
}

function renderFinding(projectUuid: string, f: FakeFinding, i: number) {
  const c = componentOf(f);
  const [, componentUuid, vulnUuid] = dtMatrix(projectUuid, f).split(':');
  const cvss = CVSS[f.severity];
  const analysis = {
    open: { isSuppressed: false },
    false_positive: { state: 'FALSE_POSITIVE', isSuppressed: true },
    risk_accepted: { state: 'EXPLOITABLE', isSuppressed: true },
    fixed: { state: 'RESOLVED', isSuppressed: false },
  }[f.state ?? 'open'];
  return {
    component: { uuid: componentUuid, ...c, version: f.componentVersion, purl: dtPurl(f), project: projectUuid },
    vulnerability: {
      uuid: vulnUuid, source: f.cve?.startsWith('GHSA') ? 'GITHUB' : 'NVD', vulnId: f.cve ?? f.id,
      title: f.title, description: f.description ?? '',
      severity: f.severity, severityRank: RANK[f.severity],
      ...(cvss ? { cvssV3BaseScore: cvss.score, cvssV3Vector: cvss.vector } : {}),
      epssScore: 0.00043, epssPercentile: 0.07756,
      ...(f.cwe ? { cweId: f.cwe, cweName: `CWE ${f.cwe}`, cwes: [{ cweId: f.cwe, name: `CWE ${f.cwe}` }] } : { cwes: [] }),
      published: DT_EPOCH - 86_400_000,
      aliases: f.cve?.startsWith('CVE') ? [{ cveId: f.cve, ghsaId: `GHSA-${f.id.slice(0, 4)}-aaaa-bbbb` }] : [],
    },
    attribution: { analyzerIdentity: 'INTERNAL_ANALYZER', attributedOn: DT_EPOCH + i * 3_600_000, referenceUrl: `https://nvd.nist.gov/vuln/detail/${f.cve ?? f.id}` },
    analysis,
    matrix: `${projectUuid}:${componentUuid}:${vulnUuid}`,
  };
}

/** a stable UUID-shaped id for a name (Dependency-Track validates path UUIDs) */
export function dtUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
