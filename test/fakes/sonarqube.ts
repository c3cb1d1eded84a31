// An in-memory SonarQube 10.6 speaking the Web API the connector uses: Basic "<token>:" or Bearer
// auth (a bad token is a bare 401), `p`/`ps` paging with the `paging` envelope, ps capped at 500,
// the 10,000-result window as the real 400, and the severity / creation-date filters that let a
// client split a query under that window.
import { randomBytes } from 'node:crypto';
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';

export const SONAR_VERSION = '10.6.0.92116';
const WINDOW = 10_000;
const LEGACY: Record<string, string> = { CRITICAL: 'BLOCKER', HIGH: 'CRITICAL', MEDIUM: 'MAJOR', LOW: 'MINOR', INFO: 'INFO' };
// 10.6 impacts know only HIGH / MEDIUM / LOW (BLOCKER and INFO arrived in 10.8)
const IMPACT: Record<string, string> = { CRITICAL: 'HIGH', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'LOW' };
const PROBABILITY: Record<string, string> = { CRITICAL: 'HIGH', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'LOW' };
/** issue n of a project was created n minutes after this */
export const SONAR_EPOCH = Date.parse('2024-01-01T00:00:00Z');

export interface SonarqubeFake extends FakeTool {
  /** security hotspots of a project (findings above are vulnerability issues) */
  setHotspots(vepKey: string, findings: FakeFinding[]): void;
  /** the rule key the fake files a finding under */
  ruleKeyOf(finding: FakeFinding): string;
}

export async function startSonarqubeFake(): Promise<SonarqubeFake> {
  const token = `squ_${randomBytes(20).toString('hex')}`;
  let projects: FakeVep[] = [];
  const issues = new Map<string, FakeFinding[]>();
  const hotspots = new Map<string, FakeFinding[]>();

  const ruleKeyOf = (f: FakeFinding) => `fakesec:S${f.cwe ?? 0}`;
  const authorized = (h: string | undefined) => h === `Bearer ${token}` || h === `Basic ${Buffer.from(`${token}:`).toString('base64')}`;

  const http = await startHttpFake((req) => route(req), { pageSizeCap: 500 });

  function route(req: FakeRequest): FakeReply {
    const path = req.url.pathname.replace(/\/+$/, '');
    const q = req.url.searchParams;
    if (path === '/api/server/version') return { body: SONAR_VERSION, headers: { 'content-type': 'text/plain' } };
    const header = req.headers.authorization;
    if (header && !authorized(header)) return { status: 401, body: '' };
    if (path === '/api/users/current') {
      return { body: header ? { isLoggedIn: true, login: 'tributary-bot', name: 'Tributary Bot', local: true, groups: ['sonar-users'] } : { isLoggedIn: false, permissions: { global: [] } } };
    }
    if (!header) return error(401, 'Authentication is required');
    switch (path) {
      case '/api/components/search': {
        if (q.get('qualifiers') !== 'TRK') return error(400, "Value of parameter 'qualifiers' must be one of: [TRK]");
        return page(q, 'components', projects.map((p) => ({ key: p.key, name: p.name, qualifier: 'TRK', project: p.key })));
      }
      case '/api/issues/search': return searchIssues(q);
      case '/api/hotspots/search': return searchHotspots(q);
      case '/api/rules/show': return showRule(q.get('key') ?? '');
      default: return error(404, `Unknown url : ${path}`);
    }
  }

  function searchIssues(q: URLSearchParams): FakeReply {
    const project = q.get('components') ?? q.get('componentKeys') ?? '';
    if (!projects.some((p) => p.key === project)) return error(404, `Component key '${project}' not found`);
    let list = (issues.get(project) ?? []).map((f, i) => renderIssue(project, f, i));
    const types = q.get('types');
    if (types && !types.split(',').includes('VULNERABILITY')) list = [];
    const severities = q.get('severities')?.split(',');
    if (severities) list = list.filter((i) => severities.includes(i.severity));
    const after = sonarTime(q.get('createdAfter'));
    const before = sonarTime(q.get('createdBefore'));
    if (after !== null) list = list.filter((i) => sonarTime(i.creationDate)! >= after);
    if (before !== null) list = list.filter((i) => sonarTime(i.creationDate)! < before);
    if (q.get('s') === 'CREATION_DATE') {
      list.sort((a, b) => sonarTime(a.creationDate)! - sonarTime(b.creationDate)!);
      if (q.get('asc') === 'false') list.reverse();
    }
    return page(q, 'issues', list, (items) => ({ components: fileComponents(project, items) }));
  }

  function searchHotspots(q: URLSearchParams): FakeReply {
    const project = q.get('project') ?? q.get('projectKey') ?? '';
    if (!projects.some((p) => p.key === project)) return error(404, `Project '${project}' not found`);
    let list = (hotspots.get(project) ?? []).map((f, i) => renderHotspot(project, f, i));
    const status = q.get('status');
    if (status) list = list.filter((h) => h.status === status);
    return page(q, 'hotspots', list, (items) => ({ components: fileComponents(project, items) }));
  }

  function showRule(key: string): FakeReply {
    const cwe = /^fakesec:S(\d+)$/.exec(key)?.[1];
    if (cwe === undefined) return error(404, `Rule not found: ${key}`);
    const resources = cwe === '0' ? '<ul><li>OWASP Top 10 2021 Category A04 - Insecure Design</li></ul>' : `<ul><li><a href="https://cwe.mitre.org/data/definitions/${cwe}">MITRE, CWE-${cwe}</a> - weakness ${cwe}</li></ul>`;
    return {
      body: {
        rule: {
          key, repo: 'fakesec', name: `Security rule S${cwe}`, severity: 'CRITICAL', type: 'VULNERABILITY', lang: 'java', status: 'READY',
          descriptionSections: [
            { key: 'root_cause', content: '<p>Untrusted data reaches a sensitive sink &amp; is used unchecked.</p>' },
            { key: 'resources', content: `<h2>Resources</h2>${resources}` },
          ],
        },
        actives: [],
      },
    };
  }

  /** `paging` envelope; the window, ps maximum and messages are SonarQube's own */
  function page(q: URLSearchParams, itemsKey: string, list: unknown[], extra?: (items: any[]) => Record<string, unknown>): FakeReply {
    const ps = Number(q.get('ps') ?? 100);
    const p = Number(q.get('p') ?? 1);
    if (ps > 500) return error(400, `'ps' value (${ps}) must be less than 500`);
    const size = Math.min(ps, http.pageSizeCap);
    if (p * size > WINDOW) return error(400, `Can return only the first ${WINDOW} results. ${p * size}th result asked.`);
    const start = http.loopingPagination ? 0 : (p - 1) * size;
    const items = list.slice(start, start + size);
    return { body: { paging: { pageIndex: p, pageSize: size, total: list.length }, [itemsKey]: items, ...extra?.(items) } };
  }

  function renderIssue(project: string, f: FakeFinding, i: number) {
    const created = SONAR_EPOCH + i * 60_000;
    const [status, resolution, issueStatus] = {
      open: ['OPEN', undefined, 'OPEN'],
      false_positive: ['RESOLVED', 'FALSE-POSITIVE', 'FALSE_POSITIVE'],
      risk_accepted: ['RESOLVED', 'WONTFIX', 'ACCEPTED'],
      fixed: ['CLOSED', 'FIXED', 'FIXED'],
    }[f.state ?? 'open'];
    return {
      key: f.id, rule: ruleKeyOf(f), severity: LEGACY[f.severity]!,
      component: f.filePath ? `${project}:${f.filePath}` : project, project,
      ...(f.line ? { line: f.line, textRange: { startLine: f.line, endLine: f.line, startOffset: 0, endOffset: 12 } } : {}),
      hash: f.id.slice(0, 32), message: f.title,
      status, ...(resolution ? { resolution } : {}), issueStatus,
      cleanCodeAttribute: 'TRUSTWORTHY', cleanCodeAttributeCategory: 'RESPONSIBLE',
      impacts: [{ softwareQuality: 'SECURITY', severity: IMPACT[f.severity] }],
      type: 'VULNERABILITY', tags: ['cwe'], effort: '30min',
      creationDate: sonarDate(created), updateDate: sonarDate(created + 1000),
      ...(status === 'CLOSED' ? { closeDate: sonarDate(created + 86_400_000) } : {}),
      transitions: [], actions: [], flows: [], quickFixAvailable: false,
    };
  }

  function renderHotspot(project: string, f: FakeFinding, i: number) {
    const created = SONAR_EPOCH + i * 60_000;
    const resolution = { open: undefined, false_positive: 'SAFE', risk_accepted: 'EXCEPTION', fixed: 'FIXED' }[f.state ?? 'open'];
    return {
      key: f.id, component: f.filePath ? `${project}:${f.filePath}` : project, project,
      securityCategory: 'others', vulnerabilityProbability: PROBABILITY[f.severity]!,
      status: resolution ? 'REVIEWED' : 'TO_REVIEW', ...(resolution ? { resolution } : {}),
      ...(f.line ? { line: f.line, textRange: { startLine: f.line, endLine: f.line, startOffset: 0, endOffset: 12 } } : {}),
      message: f.title, messageFormattings: [], author: 'dev@example.com',
      creationDate: sonarDate(created), updateDate: sonarDate(created + 3_600_000), flows: [], ruleKey: ruleKeyOf(f),
    };
  }

  return {
    ...fakeControls(http),
    kind: 'sonarqube',
    url: http.url,
    token,
    options: {},
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, findings) { issues.set(vepKey, [...findings]); },
    setHotspots(vepKey, findings) { hotspots.set(vepKey, [...findings]); },
    ruleKeyOf,
  };
}

function fileComponents(project: string, items: Array<{ component: string }>) {
  const files = [...new Set(items.map((i) => i.component).filter((c) => c !== project))];
  return [
    ...files.map((key) => {
      const path = key.slice(project.length + 1);
      return { key, enabled: true, qualifier: 'FIL', name: path.split('/').pop(), longName: path, path };
    }),
    { key: project, enabled: true, qualifier: 'TRK', name: project, longName: project },
  ];
}

function error(status: number, msg: string): FakeReply {
  return { status, body: { errors: [{ msg }] } };
}

/** SonarQube's own format: offset without a colon */
export function sonarDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function sonarTime(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(/^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}
