// An in-memory Snyk REST API (JSON:API) for one organization. A FakeFinding with a `componentName`
// becomes a `package_vulnerability` issue, any other a Snyk Code (`code`) issue. Snyk has one
// "ignored" flag for both false positives and accepted risks, so both states render as
// `ignored: true`; `fixed` renders as status "resolved". Project pages link `next` relative to
// /rest ("/orgs/…", as Snyk's docs show), issue pages with the "/rest/orgs/…" prefix (as real issue
// payloads show), so a client meets both forms.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { decodeCursor, encodeCursor, uuidFor } from './vendor-ids.ts';

const TOKEN = 'a1b2c3d4-snyk-fake-token-0123456789ab';
const ORG_ID = 'b8f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const JSONAPI = { version: '1.0' };
const CONTENT_TYPE = { 'content-type': 'application/vnd.api+json' };

const error = (status: number, title: string, detail: string, code: string): FakeReply => ({
  status,
  headers: CONTENT_TYPE,
  body: { jsonapi: JSONAPI, errors: [{ id: uuidFor(`${status}:${detail}`), links: { about: `https://docs.snyk.io/more-info/error-catalog#${code.toLowerCase()}` }, status: String(status), code, title, detail, meta: { isRetriable: false } }] },
});

export async function startSnykFake(): Promise<FakeTool> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();

  const projectJson = (p: FakeVep) => ({
    id: p.key,
    type: 'project',
    attributes: {
      name: p.name,
      type: 'npm',
      target_file: 'package.json',
      target_reference: 'main',
      origin: 'github',
      created: '2023-07-10T09:10:11.123Z',
      status: 'active',
      business_criticality: [],
      environment: [],
      lifecycle: [],
      tags: [],
      read_only: false,
    },
    relationships: {
      organization: { data: { id: ORG_ID, type: 'org' } },
      target: { data: { id: uuidFor(`target:${p.name}`), type: 'target' } },
    },
  });

  const issueJson = (projectKey: string, f: FakeFinding) => {
    const sca = !!f.componentName;
    const key = sca ? `SNYK-JS-${f.componentName!.toUpperCase().replace(/[^A-Z0-9]/g, '')}-${uuidFor(f.id).slice(0, 7)}` : uuidFor(`rule:${f.id}`);
    const level = f.severity.toLowerCase();
    return {
      id: uuidFor(`${projectKey}:${f.id}`),
      type: 'issue',
      attributes: {
        classes: f.cwe ? [{ id: `CWE-${f.cwe}`, source: 'CWE', type: 'weakness' }] : [],
        coordinates: [sca
          ? { is_fixable_manually: false, is_fixable_snyk: true, is_fixable_upstream: false, is_patchable: false, is_pinnable: false, is_upgradeable: true, reachability: 'not-applicable',
            representations: [{ dependency: { package_name: f.componentName, package_version: f.componentVersion ?? '1.0.0' } }] }
          : { is_fixable_manually: false, is_fixable_snyk: false, is_fixable_upstream: false,
            representations: [{ sourceLocation: { commit_id: '5ab48c7da75182753420725182db92b679c1e4f0', file: f.filePath ?? 'index.js', region: { start: { line: f.line ?? 1, column: 9 }, end: { line: f.line ?? 1, column: 22 } } } }] }],
        created_at: '2024-12-13T12:29:59.035Z',
        ...(f.description ? { description: f.description } : {}),
        effective_severity_level: level,
        ignored: f.state === 'false_positive' || f.state === 'risk_accepted',
        key,
        problems: [
          { id: key, source: 'SNYK', type: 'vulnerability', updated_at: '2025-04-13T04:13:03.151452Z' },
          ...(f.cve ? [{ id: f.cve, source: 'NVD', type: 'vulnerability', updated_at: '2025-04-13T04:13:03.151452Z', url: `https://nvd.nist.gov/vuln/detail/${f.cve}` }] : []),
        ],
        ...(f.state === 'fixed' ? { resolution: { type: 'fixed', resolved_at: '2025-01-02T03:04:05.000Z' } } : {}),
        risk: { factors: [], score: { model: 'v1', value: 500 } },
        ...(sca ? { severities: [{ level, score: 7.5, source: 'Snyk', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', version: '3.1', modification_time: '2024-10-01T15:25:03.834Z' }] } : {}),
        status: f.state === 'fixed' ? 'resolved' : 'open',
        title: f.title,
        type: sca ? 'package_vulnerability' : 'code',
        updated_at: '2025-03-08T01:31:31.667Z',
      },
      relationships: {
        organization: { data: { id: ORG_ID, type: 'organization' }, links: { related: `/orgs/${ORG_ID}` } },
        scan_item: { data: { id: projectKey, type: 'project' }, links: { related: `/orgs/${ORG_ID}/projects/${projectKey}` } },
      },
    };
  };

  /** Cursor pages: `starting_after=<cursor>` in `links.next`, absent on the last page. */
  const cursorPage = (req: FakeRequest, items: unknown[], linkPrefix: string): FakeReply => {
    const limitParam = req.url.searchParams.get('limit');
    const limit = limitParam === null ? 10 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 10 || limit > 100 || limit % 10 !== 0) {
      return error(400, 'Bad Request', `limit must be a multiple of 10 between 10 and 100, got ${limitParam}`, 'SNYK-0003');
    }
    const offset = decodeCursor(req.url.searchParams.get('starting_after'));
    if (offset === null) return error(400, 'Bad Request', 'invalid starting_after cursor', 'SNYK-0003');
    const size = Math.min(limit, fake.pageSizeCap);
    const end = offset + size;
    const link = (cursor: string | null) => {
      const params = new URLSearchParams(req.url.searchParams);
      params.delete('starting_after');
      if (cursor) params.set('starting_after', cursor);
      return `${linkPrefix}${req.url.pathname.slice('/rest'.length)}?${params}`;
    };
    const links: Record<string, string> = { self: link(req.url.searchParams.get('starting_after')), first: link(null) };
    if (end < items.length) links.next = link(fake.loopingPagination ? null : encodeCursor(end));
    return { headers: CONTENT_TYPE, body: { jsonapi: JSONAPI, data: items.slice(offset, end), links } };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const auth = req.headers.authorization ?? '';
    if (!/^(token|bearer) /i.test(auth) || auth.replace(/^(token|bearer) /i, '') !== TOKEN) {
      return error(401, 'Authentication error', 'Authentication credentials not recognized, or user access is not provisioned.', 'SNYK-0005');
    }
    const version = req.url.searchParams.get('version');
    if (!version) return error(400, 'Bad Request', 'missing required query parameter: version', 'SNYK-0003');
    if (!/^\d{4}-\d{2}-\d{2}(~beta|~experimental)?$/.test(version)) return error(400, 'Bad Request', `invalid version ${version}`, 'SNYK-0003');
    const segments = req.url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] !== 'rest' || segments[1] !== 'orgs' || req.method !== 'GET') return error(404, 'Not Found', 'The requested resource does not exist', 'SNYK-0004');
    if (segments[2] !== ORG_ID) return error(404, 'Not Found', `Org ${segments[2]} was not found or you do not have access to it`, 'SNYK-0004');
    if (segments.length === 3) return { headers: CONTENT_TYPE, body: { jsonapi: JSONAPI, data: { id: ORG_ID, type: 'org', attributes: { name: 'Acme Security', slug: 'acme-security', is_personal: false } }, links: { self: `/orgs/${ORG_ID}?version=${version}` } } };
    if (segments[3] === 'projects' && segments.length === 4) return cursorPage(req, projects.map(projectJson), '');
    if (segments[3] === 'issues' && segments.length === 4) {
      const project = req.url.searchParams.get('scan_item.id');
      const type = req.url.searchParams.get('scan_item.type');
      if ((project === null) !== (type === null)) return error(400, 'Bad Request', 'scan_item.id and scan_item.type must be given together', 'SNYK-0003');
      const keys = project ? [project] : [...findings.keys()];
      return cursorPage(req, keys.flatMap((k) => (findings.get(k) ?? []).map((f) => issueJson(k, f))), '/rest');
    }
    return error(404, 'Not Found', 'The requested resource does not exist', 'SNYK-0004');
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 100 });
  return {
    ...fakeControls(fake),
    kind: 'snyk',
    url: fake.url,
    token: TOKEN,
    options: { orgId: ORG_ID },
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
  };
}
