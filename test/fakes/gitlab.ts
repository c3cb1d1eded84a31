// An in-memory GitLab: REST v4 project listing (offset pages with Link and X-* headers) and the
// GraphQL vulnerability report (pageInfo cursors, errors with HTTP 200). A FakeVep's name is its
// name_with_namespace ("Security Team / Backend / worker"); its namespace path is derived from it,
// "security-team" when the name has no namespace. The group `security-team` (id 9) holds every
// project under that path, subgroups included. A FakeFinding with a `componentName` becomes a
// dependency-scanning vulnerability, any other a SAST one (startLine rendered as a String).
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { Numbering, decodeCursor, encodeCursor, uuidFor } from './vendor-ids.ts';

const TOKEN = 'glpat-fakeGitlabToken0123456789';
const GROUP = { id: 9, name: 'Security Team', path: 'security-team', full_path: 'security-team' };

export interface GitlabFake extends FakeTool {
  /** off: only X-Next-Page and friends signal the next page (as behind proxies that drop Link) */
  setLinkHeader(on: boolean): void;
}

const slug = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export async function startGitlabFake(): Promise<GitlabFake> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const numbering = new Numbering();
  let linkHeader = true;

  const projectJson = (p: FakeVep) => {
    const parts = p.name.split(' / ');
    const name = parts.pop()!;
    const namespace = parts.length ? parts.map(slug).join('/') : GROUP.full_path;
    const path = slug(name);
    return {
      id: /^\d+$/.test(p.key) ? Number(p.key) : p.key,
      description: '',
      name,
      name_with_namespace: p.name,
      path,
      path_with_namespace: `${namespace}/${path}`,
      created_at: '2020-04-07T13:54:25.634Z',
      default_branch: 'main',
      tag_list: [],
      topics: [],
      web_url: `${fake.url}/${namespace}/${path}`,
      avatar_url: null,
      star_count: 0,
      last_activity_at: '2024-04-07T14:01:04.655Z',
      namespace: { id: 12, name: parts.at(-1) ?? GROUP.name, path: namespace.split('/').pop(), kind: 'group', full_path: namespace, parent_id: null },
    };
  };

  const vulnerabilityJson = (fullPath: string, projectKey: string, f: FakeFinding) => {
    const n = numbering.numberFor(`${projectKey}:${f.id}`);
    const dismissed = f.state === 'false_positive' || f.state === 'risk_accepted';
    const cwe = f.cwe ? [{ externalType: 'cwe', externalId: String(f.cwe), name: `CWE-${f.cwe}`, url: `https://cwe.mitre.org/data/definitions/${f.cwe}.html` }] : [];
    const cve = f.cve ? [{ externalType: 'cve', externalId: f.cve, name: f.cve, url: `https://nvd.nist.gov/vuln/detail/${f.cve}` }] : [];
    const rule = { externalType: 'semgrep_id', externalId: `rule-${f.id}`, name: `rule-${f.id}`, url: `https://semgrep.dev/r/rule-${f.id}` };
    const primary = cve[0] ?? rule;
    const location = f.componentName
      ? { __typename: 'VulnerabilityLocationDependencyScanning', file: f.filePath ?? 'package-lock.json', blobPath: `/${fullPath}/-/blob/cc6c4a07/${f.filePath ?? 'package-lock.json'}`, dependency: { version: f.componentVersion ?? null, package: { name: f.componentName } } }
      : { __typename: 'VulnerabilityLocationSast', file: f.filePath ?? null, startLine: f.line === undefined ? null : String(f.line), endLine: f.line === undefined ? null : String(f.line), blobPath: `/${fullPath}/-/blob/cc6c4a07/${f.filePath ?? ''}` };
    return {
      id: `gid://gitlab/Vulnerability/${n}`,
      uuid: uuidFor(`${projectKey}:${f.id}`),
      title: f.title,
      description: f.description ?? null,
      solution: f.componentName ? `Upgrade ${f.componentName}.` : null,
      severity: f.severity,
      state: f.state === 'fixed' ? 'RESOLVED' : dismissed ? 'DISMISSED' : 'DETECTED',
      reportType: f.componentName ? 'DEPENDENCY_SCANNING' : 'SAST',
      detectedAt: '2024-05-02T10:11:12Z',
      updatedAt: '2024-05-03T10:11:12Z',
      resolvedAt: f.state === 'fixed' ? '2024-05-04T09:00:00Z' : null,
      dismissedAt: dismissed ? '2024-05-04T08:00:00Z' : null,
      dismissalReason: f.state === 'false_positive' ? 'FALSE_POSITIVE' : f.state === 'risk_accepted' ? 'ACCEPTABLE_RISK' : null,
      resolvedOnDefaultBranch: f.state === 'fixed',
      presentOnDefaultBranch: f.state !== 'fixed',
      webUrl: `${fake.url}/${fullPath}/-/security/vulnerabilities/${n}`,
      scanner: f.componentName ? { externalId: 'gemnasium', name: 'Gemnasium', vendor: 'GitLab' } : { externalId: 'semgrep', name: 'Semgrep', vendor: 'GitLab' },
      primaryIdentifier: primary,
      identifiers: [primary, ...(primary === rule ? [] : [rule]), ...cwe],
      cvss: [],
      location,
    };
  };

  /** GitLab's offset pagination: X-Page/X-Per-Page/X-Next-Page/X-Prev-Page/X-Total/X-Total-Pages and Link. */
  const offsetPage = (req: FakeRequest, items: unknown[]): FakeReply => {
    const perPage = Math.min(Number(req.url.searchParams.get('per_page') ?? 20) || 20, 100, fake.pageSizeCap);
    const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const next = page < totalPages ? (fake.loopingPagination ? 1 : page + 1) : null;
    const link = (p: number) => {
      const u = new URL(req.url.toString());
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const headers: Record<string, string> = {
      'x-page': String(page), 'x-per-page': String(perPage), 'x-next-page': next ? String(next) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '', 'x-total': String(items.length), 'x-total-pages': String(totalPages),
    };
    if (linkHeader) {
      const rels = [...(page > 1 ? [`<${link(page - 1)}>; rel="prev"`] : []), ...(next ? [`<${link(next)}>; rel="next"`] : []), `<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`];
      headers.link = rels.join(', ');
    }
    return { body: items.slice((page - 1) * perPage, page * perPage), headers };
  };

  const graphqlReply = (req: FakeRequest): FakeReply => {
    let payload: any;
    try { payload = JSON.parse(req.body); } catch { return { status: 400, body: { errors: [{ message: 'Invalid JSON body' }] } }; }
    const query = String(payload?.query ?? '');
    if (!/project\s*\(\s*fullPath:/.test(query) || !/vulnerabilities\s*\(/.test(query)) {
      return { body: { errors: [{ message: 'This fake only answers project(fullPath:) { vulnerabilities } queries', locations: [{ line: 1, column: 1 }] }] } };
    }
    const { fullPath, first, after } = payload.variables ?? {};
    const project = projects.map((p) => ({ p, json: projectJson(p) })).find((x) => x.json.path_with_namespace === fullPath);
    if (!project) return { body: { data: { project: null } } };
    const offset = decodeCursor(after ?? null);
    if (offset === null) return { body: { errors: [{ message: `Argument 'after' on Field 'vulnerabilities' has an invalid value (${JSON.stringify(after)}).`, locations: [{ line: 4, column: 5 }], path: ['project', 'vulnerabilities'] }], data: { project: null } } };
    const size = Math.min(Number(first) || 100, 100, fake.pageSizeCap);
    const nodes = (findings.get(project.p.key) ?? []).map((f) => vulnerabilityJson(fullPath, project.p.key, f));
    const end = offset + size;
    const hasNextPage = end < nodes.length;
    return {
      body: {
        data: {
          project: {
            id: `gid://gitlab/Project/${project.json.id}`,
            vulnerabilities: {
              pageInfo: { hasNextPage, endCursor: nodes.length ? encodeCursor(hasNextPage && fake.loopingPagination ? 0 : end) : null },
              nodes: nodes.slice(offset, end),
            },
          },
        },
      },
    };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const token = req.headers['private-token'] ?? (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
    const path = req.url.pathname;
    if (path === '/api/graphql' && req.method === 'POST') {
      if (token !== undefined && token !== TOKEN) return { status: 401, body: { errors: [{ message: 'Invalid token' }] } };
      // anonymous GraphQL works, but sees no private project
      return token === undefined ? { body: { data: { project: null } } } : graphqlReply(req);
    }
    if (!path.startsWith('/api/v4/')) return { status: 404, body: { error: '404 Not Found' } };
    if (token !== TOKEN) return { status: 401, body: { message: '401 Unauthorized' } };
    const segments = path.slice('/api/v4/'.length).split('/').map(decodeURIComponent);
    const all = projects.map(projectJson);
    if (segments.join('/') === 'user') return { body: { id: 42, username: 'tributary-bot', name: 'Tributary Bot', state: 'active' } };
    if (segments[0] === 'groups') {
      if (segments[1] !== String(GROUP.id) && segments[1] !== GROUP.full_path) return { status: 404, body: { message: '404 Group Not Found' } };
      if (segments.length === 2) return { body: { ...GROUP, visibility: 'private', web_url: `${fake.url}/groups/${GROUP.full_path}` } };
      if (segments[2] === 'projects' && segments.length === 3) {
        const deep = req.url.searchParams.get('include_subgroups') === 'true';
        return offsetPage(req, all.filter((p) => p.namespace.full_path === GROUP.full_path || (deep && p.namespace.full_path.startsWith(`${GROUP.full_path}/`))));
      }
    }
    if (segments[0] === 'projects') {
      if (segments.length === 1) return offsetPage(req, all);
      const found = all.find((p) => String(p.id) === segments[1] || p.path_with_namespace === segments[1]);
      if (segments.length === 2) return found ? { body: found } : { status: 404, body: { message: '404 Project Not Found' } };
    }
    return { status: 404, body: { error: '404 Not Found' } };
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 100 });
  return {
    ...fakeControls(fake),
    kind: 'gitlab',
    url: fake.url,
    token: TOKEN,
    options: {},
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    setLinkHeader(on) { linkHeader = on; },
  };
}
