import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitlabKind } from '@tributary/server/connectors/gitlab.ts';
import { normalizeVulnerability, VULNERABILITIES_QUERY } from '@tributary/server/connectors/gitlab-vulnerabilities.ts';
import { startGitlabFake, type GitlabFake } from '../fakes/gitlab.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const PROJECTS = [
  { key: '24', name: 'Security Team / api' },
  { key: '31', name: 'Security Team / Backend / worker' },
  { key: '40', name: 'Other / tool' },
  { key: '41', name: 'Other / site' },
  { key: '52', name: 'Security Team / docs' },
];
const vep = { key: '24', name: 'Security Team / api' };

const FINDINGS: FakeFinding[] = [
  { id: 'sqli', title: 'SQL Injection', severity: 'CRITICAL', cwe: 89, filePath: 'app/db.py', line: 42, description: 'User input reaches a query.' },
  { id: 'debug', title: 'ReDoS in debug', severity: 'HIGH', componentName: 'debug', componentVersion: '1.0.5', cve: 'CVE-2017-16137', filePath: 'yarn.lock' },
  { id: 'c', title: 'c', severity: 'MEDIUM', filePath: 'a.py', line: 1 },
  { id: 'd', title: 'd', severity: 'LOW', filePath: 'b.py', line: 2 },
  { id: 'e', title: 'e', severity: 'INFO', filePath: 'c.py' },
];

describe('gitlab kind', () => {
  let fake: GitlabFake;
  beforeEach(async () => {
    fake = await startGitlabFake();
    fake.setProjects(PROJECTS);
  });
  afterEach(() => fake.close());

  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('tests the connection as the token\'s user, and checks the group when one is set', async () => {
    expect(await gitlabKind.testConnection(ctx())).toBe('Connected to GitLab as tributary-bot');
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(await gitlabKind.testConnection(ctx({ options: { group: 'security-team' } }))).toBe('Connected to GitLab as tributary-bot; group security-team');
    const err = await connectorFailure(gitlabKind.testConnection(ctx({ options: { group: 'nope' } })));
    expect(err.message).toBe('GitLab: no group "nope" (404: it does not exist, or the token cannot see it)');
  });

  it('discovers the token\'s projects by id over Link-header pages', async () => {
    fake.setPageSizeCap(2);
    const veps = await discoverAll(gitlabKind, ctx());
    expect(veps.map((v) => [v.key, v.name])).toEqual(PROJECTS.map((p) => [p.key, p.name]));
    expect(veps[1]!.metadata).toEqual({ fullPath: 'security-team/backend/worker', webUrl: `${fake.url}/security-team/backend/worker`, defaultBranch: 'main' });
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/api/v4/projects?membership=true&simple=true&per_page=100&order_by=id&sort=asc',
      '/api/v4/projects?membership=true&simple=true&per_page=2&order_by=id&sort=asc&page=2',
      '/api/v4/projects?membership=true&simple=true&per_page=2&order_by=id&sort=asc&page=3',
    ]);
  });

  it('follows X-Next-Page when there is no Link header', async () => {
    fake.setPageSizeCap(2);
    fake.setLinkHeader(false);
    expect((await discoverAll(gitlabKind, ctx())).map((v) => v.key)).toEqual(['24', '31', '40', '41', '52']);
    expect(fake.requests.map((r) => new URL(r.url, fake.url).searchParams.get('page'))).toEqual([null, '2', '3']);
  });

  it('limits discovery to the group and its subgroups, without shared projects', async () => {
    fake.setPageSizeCap(2);
    const veps = await discoverAll(gitlabKind, ctx({ options: { group: 'security-team' } }));
    expect(veps.map((v) => v.key)).toEqual(['24', '31', '52']);
    expect(fake.requests[0]!.url).toBe('/api/v4/groups/security-team/projects?include_subgroups=true&with_shared=false&simple=true&per_page=100&order_by=id&sort=asc');
    const missing = await connectorFailure(discoverAll(gitlabKind, ctx({ options: { group: 'gone/away' } })));
    expect(missing.message).toBe('GitLab: no group "gone/away" (404: it does not exist, or the token cannot see it)');
    expect(fake.requests.at(-1)!.url).toMatch(/^\/api\/v4\/groups\/gone%2Faway\/projects\?/);
  });

  it('fetches vulnerabilities over GraphQL cursor pages and maps every field', async () => {
    fake.setFindings('24', FINDINGS);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(gitlabKind, ctx(), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect(all.map((f) => f.line)).toEqual([42, null, 1, 2, null]);
    expect(all[0]).toEqual({
      title: 'SQL Injection',
      severity: 'CRITICAL',
      description: 'User input reaches a query.',
      mitigation: null,
      uniqueIdFromTool: all[0]!.uniqueIdFromTool,
      vulnIdFromTool: 'rule-sqli',
      filePath: 'app/db.py',
      line: 42,
      endLine: 42,
      cwe: 89,
      cwes: [89],
      vulnerabilityIds: [],
      componentName: null,
      componentVersion: null,
      cvssScore: null,
      cvssVector: null,
      cvssV4Score: null,
      cvssV4Vector: null,
      toolName: 'Semgrep',
      references: 'https://semgrep.dev/r/rule-sqli',
      vendorUrl: `${fake.url}/security-team/api/-/security/vulnerabilities/1`,
      service: null,
      staticFinding: true,
      dynamicFinding: false,
      date: new Date('2024-05-02T10:11:12Z'),
      verified: false,
      falsePositive: false,
      riskAccepted: false,
      outOfScope: false,
      dismissed: false,
      dismissedBy: null,
      dismissedAt: null,
      dismissedReason: null,
      mitigated: false,
      mitigatedAt: null,
    });
    expect(all[0]!.uniqueIdFromTool).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(all[1]).toMatchObject({
      title: 'ReDoS in debug', vulnIdFromTool: 'CVE-2017-16137', vulnerabilityIds: ['CVE-2017-16137'], componentName: 'debug',
      componentVersion: '1.0.5', filePath: 'yarn.lock', mitigation: 'Upgrade debug.', references: 'https://nvd.nist.gov/vuln/detail/CVE-2017-16137',
    });
    expect(new Set(all.map((f) => f.uniqueIdFromTool)).size).toBe(5);
    // one REST lookup of the current path (the id is the stable key), then three GraphQL pages
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v4/projects/24', 'POST /api/graphql', 'POST /api/graphql', 'POST /api/graphql']);
  });

  it('carries dismissals (false positive, acceptable risk) and resolutions over', async () => {
    fake.setFindings('24', [
      { id: 'a', title: 'a', severity: 'HIGH', state: 'false_positive' },
      { id: 'b', title: 'b', severity: 'HIGH', state: 'risk_accepted' },
      { id: 'c', title: 'c', severity: 'HIGH', state: 'fixed' },
      { id: 'd', title: 'd', severity: 'HIGH', state: 'open' },
    ]);
    const all = (await fetchPages(gitlabKind, ctx(), vep)).flat();
    expect(all.map((f) => [f.title, f.falsePositive, f.riskAccepted, f.mitigated, f.mitigatedAt?.toISOString() ?? null])).toEqual([
      ['a', true, false, false, null],
      ['b', false, true, false, null],
      ['c', false, false, true, '2024-05-04T09:00:00.000Z'],
      ['d', false, false, false, null],
    ]);
  });

  it('treats GraphQL errors that arrive with HTTP 200 as failures, and a null project too', async () => {
    fake.setFindings('24', FINDINGS);
    fake.failNext(1, { status: 200, body: JSON.stringify({ errors: [{ message: 'Query has complexity of 310, which exceeds max complexity of 300' }] }), pathIncludes: 'graphql' });
    const err = await connectorFailure(fetchPages(gitlabKind, ctx(), vep));
    expect(err.message).toBe('GitLab GraphQL error: Query has complexity of 310, which exceeds max complexity of 300');
    fake.failNext(1, { status: 200, body: JSON.stringify({ data: { project: null } }), pathIncludes: 'graphql' });
    expect((await connectorFailure(fetchPages(gitlabKind, ctx(), vep))).message).toBe('GitLab GraphQL has no project "security-team/api" for this token');
  });

  it('fails the whole fetch when a later GraphQL page fails', async () => {
    fake.setFindings('24', FINDINGS);
    fake.setPageSizeCap(2);
    const it = gitlabKind.fetchFindings(ctx(), vep)[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(2);
    fake.failNext(5, { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', pathIncludes: 'graphql' });
    const err = await connectorFailure(it.next());
    expect(err.message).toMatch(/^502 from GitLab: an HTML page \(http:\/\/127\.0\.0\.1:\d+\/api\/graphql\)$/);
  });

  it('rejects a wrong token with GitLab\'s 401 and never echoes the token', async () => {
    const secret = 'glpat-notTheRightOne000000000';
    const err = await connectorFailure(discoverAll(gitlabKind, ctx({ secret })));
    expect(err.message).toMatch(/^401 from GitLab \(the token was rejected\): \{"message":"401 Unauthorized"\}/);
    expect(err.message).not.toContain(secret);
    const gql = await connectorFailure(fetchPages(gitlabKind, { ...ctx({ secret }) }, vep));
    expect(gql.message).not.toContain(secret);
  });

  it('retries 429 with Retry-After and 500, then completes', async () => {
    fake.setFindings('24', FINDINGS);
    fake.setPageSizeCap(2);
    fake.failNext(1, { status: 429, retryAfter: 0, body: '{"message":"Retry later"}', pathIncludes: 'graphql' });
    fake.failNext(1, { status: 500, body: '{"message":"500 Internal Server Error"}', pathIncludes: 'graphql' });
    expect((await fetchPages(gitlabKind, ctx(), vep)).flat()).toHaveLength(5);
    expect(fake.requests.filter((r) => r.url === '/api/graphql')).toHaveLength(5);
  });

  it('fails on HTML, on truncated JSON and on looping pagination', async () => {
    fake.failNext(1, { status: 200, contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html>Sign in</html>' });
    expect((await connectorFailure(discoverAll(gitlabKind, ctx()))).message).toMatch(/^GitLab answered HTTP 200 with text\/html; charset=utf-8, not JSON: an HTML page/);
    fake.failNext(1, { status: 200, body: '[{"id": 24, "name": "ap' });
    expect((await connectorFailure(discoverAll(gitlabKind, ctx()))).message).toContain('not JSON');

    fake.setPageSizeCap(2);
    fake.setLoopingPagination(true);
    expect((await connectorFailure(discoverAll(gitlabKind, ctx()))).message).toMatch(/^GitLab: pagination loops back to a page already read/);
    fake.setFindings('24', FINDINGS);
    expect((await connectorFailure(fetchPages(gitlabKind, ctx(), vep))).message).toMatch(/^GitLab: pagination loops back to a page already read \(cursor:/);
  });

  it('validates the group option', () => {
    expect(gitlabKind.validateOptions!({}, 'https://gitlab.example.com')).toBeNull();
    expect(gitlabKind.validateOptions!({ group: 'org/security' }, 'https://gitlab.example.com')).toBeNull();
    expect(gitlabKind.validateOptions!({ group: '/org/' }, 'https://gitlab.example.com')).toBe('group: "/org/" is not a group path (no leading/trailing slash or spaces)');
    expect(gitlabKind.validateOptions!({ group: ['x'] }, 'https://gitlab.example.com')).toBe('group: a group id or full path (e.g. my-org/security)');
  });
});

// issue 12, fixes 13–15, on vulnerability nodes shaped as GitLab's GraphQL reference documents them
describe('gitlab vulnerabilities: fidelity', () => {
  const node = (over: object = {}) => ({
    id: 'gid://gitlab/Vulnerability/901', uuid: '5f1e1c2d-0000-4000-8000-000000000901', title: 'Prototype pollution in lodash', severity: 'HIGH',
    state: 'DETECTED', reportType: 'DEPENDENCY_SCANNING', detectedAt: '2025-02-01T00:00:00Z', webUrl: 'https://gitlab.example/g/p/-/security/vulnerabilities/901',
    scanner: { externalId: 'gemnasium', name: 'Gemnasium', vendor: 'GitLab' },
    primaryIdentifier: { externalType: 'cve', externalId: 'CVE-2021-23337', name: 'CVE-2021-23337', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
    identifiers: [
      { externalType: 'cve', externalId: 'cve-2021-23337', name: 'cve-2021-23337' },
      { externalType: 'ghsa', externalId: 'GHSA-35jh-r3h4-6jhm', name: 'GHSA-35jh-r3h4-6jhm' },
      { externalType: 'cwe', externalId: '94', name: 'CWE-94' },
      { externalType: 'cwe', externalId: '1321', name: 'CWE-1321' },
    ],
    cvss: [],
    location: { __typename: 'VulnerabilityLocationDependencyScanning', file: 'package-lock.json', dependency: { version: '4.17.20', package: { name: 'lodash' } } },
    ...over,
  });

  it('#13 writes vulnerability ids in the one canonical form: CVE upper-case, GHSA as GitHub writes it', () => {
    expect(normalizeVulnerability(node()).vulnerabilityIds).toEqual(['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']);
  });

  it('#14 asks for the CVSS base score and keeps v3 and v4 apart', () => {
    expect(VULNERABILITIES_QUERY).toMatch(/cvss\s*\{[^}]*\bbaseScore\b[^}]*\bversion\b/);
    const f = normalizeVulnerability(node({ cvss: [
      { vendor: 'NVD', version: 3.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', baseScore: 7.2, overallScore: 7.2, severity: 'HIGH' },
      { vendor: 'GitLab', version: 4.0, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 8.6, overallScore: 8.6, severity: 'HIGH' },
    ] }));
    expect(f).toMatchObject({ cvssScore: 7.2, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', cvssV4Score: 8.6,
      cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', cwe: 94, cwes: [94, 1321], toolName: 'Gemnasium' });
  });

  it('#15 fetches the dismissal comment and records a reasonless dismissal as dismissed in the tool, not as a risk acceptance', () => {
    expect(VULNERABILITIES_QUERY).toMatch(/\bstateComment\b/);
    expect(VULNERABILITIES_QUERY).toMatch(/dismissedBy\s*\{[^}]*\busername\b/);
    const f = normalizeVulnerability(node({ state: 'DISMISSED', dismissalReason: null, dismissedAt: '2025-02-03T12:00:00Z',
      dismissedBy: { username: 'jdoe', name: 'Jane Doe' }, stateComment: 'Only used by the build tooling.' }));
    expect(f).toMatchObject({ riskAccepted: false, falsePositive: false, outOfScope: false, dismissed: true, dismissedBy: 'jdoe',
      dismissedAt: new Date('2025-02-03T12:00:00Z'), dismissedReason: 'Only used by the build tooling.' });
    const accepted = normalizeVulnerability(node({ state: 'DISMISSED', dismissalReason: 'ACCEPTABLE_RISK', stateComment: 'Fix planned for Q3.' }));
    expect(accepted).toMatchObject({ riskAccepted: true, dismissed: true, dismissedReason: 'ACCEPTABLE_RISK: Fix planned for Q3.' });
  });
});
