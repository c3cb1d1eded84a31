// An in-memory Checkmarx One tenant "acme", written from ast-cli's wrappers (the client Checkmarx
// ships) and the REST docs: the IAM token endpoint /auth/realms/<tenant>/protocol/openid-connect/token
// (grant_type=refresh_token, client_id=ast-app → access_token, expires_in; Keycloak's 400
// invalid_grant for a bad key and 404 "Realm does not exist" for an unknown tenant), and the API's
// /api/projects, /api/scans and /api/results lists with offset/limit paging and totalCount. IAM and
// API share one host here (the kind's iamUrl option points at it). A FakeFinding with a
// `componentName` is an SCA result (its id the CVE, shared across packages, as Checkmarx sends it),
// any other a SAST result. Vendor states: false_positive → NOT_EXPLOITABLE, risk_accepted →
// PROPOSED_NOT_EXPLOITABLE, open → TO_VERIFY; a fixed finding is not in the latest scan at all.
import { randomBytes } from 'node:crypto';
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { uuidFor } from './vendor-ids.ts';

const TENANT = 'acme';
// Checkmarx API keys are (long) Keycloak offline refresh tokens, JWT-shaped
const API_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJPZmZsaW5lIiwiYXpwIjoiYXN0LWFwcCIsImlzcyI6ImFjbWUifQ.c2lnbmF0dXJl';

export interface CheckmarxFake extends FakeTool {
  /** every access token handed out so far stops working (revoked / expired early) */
  revokeAccessTokens(): void;
  /** how many token exchanges were made */
  readonly tokenExchanges: number;
}

const apiError = (status: number, message: string): FakeReply => ({ status, body: { code: status, message, data: null } });

export async function startCheckmarxOneFake(): Promise<CheckmarxFake> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const tokens = new Set<string>();
  let exchanges = 0;

  const scanId = (projectKey: string) => uuidFor(`scan:${projectKey}`);

  const resultJson = (f: FakeFinding) => {
    const state = f.state === 'false_positive' ? 'NOT_EXPLOITABLE' : f.state === 'risk_accepted' ? 'PROPOSED_NOT_EXPLOITABLE' : 'TO_VERIFY';
    const common = {
      status: 'RECURRENT', state, severity: f.severity,
      created: '2025-02-01T10:00:00Z', firstFoundAt: '2024-11-05T08:09:10Z', foundAt: '2025-02-01T10:00:00Z', firstScanId: uuidFor('first-scan'),
      description: f.description ?? '', descriptionHTML: f.description ? `<p>${f.description}</p>` : '',
    };
    if (f.componentName) {
      return {
        ...common, type: 'sca', id: f.cve ?? `Cxa1b2c3d4-${f.id}`, similarityId: f.cve ?? f.id,
        data: { packageIdentifier: `Npm-${f.componentName}-${f.componentVersion ?? '1.0.0'}`, recommendedVersion: '4.17.21', packageData: [{ type: 'Advisory', url: `https://osv.dev/${f.cve ?? f.id}` }] },
        vulnerabilityDetails: { cweId: f.cwe ? `CWE-${f.cwe}` : null, cvssScore: 7.4, cveName: f.cve ?? '', cvss: { version: 3, attackVector: 'NETWORK' } },
      };
    }
    return {
      ...common, type: 'sast', id: Buffer.from(`result:${f.id}`).toString('base64'), similarityId: String(-1_000_000 - f.id.length * 7),
      data: {
        queryId: 5_157_925_289_005_576_664 + (f.cwe ?? 0), queryName: f.title.replace(/ /g, '_'), group: 'JavaScript_High_Risk', languageName: 'JavaScript', resultHash: `hash-${f.id}`,
        nodes: [
          { fileName: `/${f.filePath ?? 'src/index.js'}`, line: f.line ?? 1, column: 12, method: 'handler', name: 'req' },
          { fileName: '/src/db.js', line: 40, column: 3, method: 'query', name: 'sql' },
        ],
      },
      vulnerabilityDetails: { cweId: f.cwe ?? 0, compliances: ['OWASP Top 10 2021'] },
    };
  };

  /** offset/limit pages with totalCount, as every Checkmarx One list answers */
  const page = (req: FakeRequest, listKey: string, items: unknown[], extra: Record<string, unknown> = {}): FakeReply => {
    const offset = fake.loopingPagination ? 0 : Number(req.url.searchParams.get('offset') ?? 0);
    const limit = Number(req.url.searchParams.get('limit') ?? 20);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 10_000) return apiError(400, 'invalid offset or limit');
    const size = Math.min(limit, fake.pageSizeCap);
    return { body: { totalCount: items.length, filteredTotalCount: items.length, [listKey]: items.slice(offset, offset + size), ...extra } };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const path = req.url.pathname;
    const realm = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/.exec(path);
    if (realm) {
      if (req.method !== 'POST') return { status: 405, body: { error: 'RESTEASY003650: No resource method found for GET' } };
      if (decodeURIComponent(realm[1]!) !== TENANT) return { status: 404, body: { error: 'Realm does not exist' } };
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' } };
      if (form.get('client_id') !== 'ast-app') return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' } };
      if (form.get('refresh_token') !== API_KEY) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
      exchanges++;
      const token = `eyJ.access.${randomBytes(12).toString('hex')}`;
      tokens.add(token);
      return { body: { access_token: token, expires_in: 1800, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, session_state: uuidFor(token), scope: 'openid ast-api offline_access' } };
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) return apiError(401, 'Unauthorized');
    if (!/^application\/json(; ?version=1\.0)?$/.test(req.headers.accept ?? '')) return apiError(406, 'unsupported Accept header');
    if (req.method !== 'GET') return apiError(405, 'method not allowed');

    if (path === '/api/projects') {
      return page(req, 'projects', projects.map((p) => ({
        id: p.key, name: p.name, groups: [], tags: { team: 'payments' }, repoUrl: `https://github.com/acme/${p.name}`, mainBranch: 'main', origin: 'GitHub',
        createdAt: '2024-01-02T03:04:05Z', updatedAt: '2025-01-02T03:04:05Z', criticality: 3,
      })));
    }
    if (path === '/api/scans') {
      const project = req.url.searchParams.get('project-id');
      const statuses = (req.url.searchParams.get('statuses') ?? '').split(',').filter(Boolean);
      const branch = req.url.searchParams.get('branch');
      const scans = project && findings.has(project) ? [
        { id: uuidFor(`running:${project}`), status: 'Running', branch: 'main', createdAt: '2025-03-01T00:00:00Z', updatedAt: '2025-03-01T00:00:00Z', projectId: project, engines: ['sast', 'sca'] },
        { id: scanId(project), status: 'Completed', branch: 'main', createdAt: '2025-02-01T10:00:00Z', updatedAt: '2025-02-01T10:20:00Z', projectId: project, engines: ['sast', 'sca'] },
      ].filter((s) => (!statuses.length || statuses.includes(s.status)) && (!branch || s.branch === branch)) : [];
      return page(req, 'scans', scans);
    }
    if (path === '/api/results') {
      const scan = req.url.searchParams.get('scan-id');
      const project = [...findings.keys()].find((k) => scanId(k) === scan);
      if (!project) return apiError(404, `scan ${scan} not found`);
      return page(req, 'results', findings.get(project)!.filter((f) => f.state !== 'fixed').map(resultJson), { scanID: scan });
    }
    return apiError(404, 'Not Found');
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 10_000 });
  return {
    ...fakeControls(fake),
    kind: 'checkmarx-one',
    url: fake.url,
    token: API_KEY,
    options: { tenant: TENANT, iamUrl: fake.url },
    projectKey: (n) => uuidFor(`project-${n}`),
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    revokeAccessTokens() { tokens.clear(); },
    get tokenExchanges() { return exchanges; },
  };
}
