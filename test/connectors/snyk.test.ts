import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snykKind } from '@tributary/server/connectors/snyk.ts';
import { normalizeIssue as normalizeSnykIssue } from '@tributary/server/connectors/snyk-issues.ts';
import { startSnykFake } from '../fakes/snyk.ts';
import type { FakeFinding, FakeTool } from '../fakes/fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const ORG = 'b8f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const P1 = '92867a20-30b8-44fd-a59f-da71d59b58f1';
const vep = { key: P1, name: 'acme/shop:package.json' };
const PROJECTS = [
  { key: P1, name: 'acme/shop:package.json' },
  { key: '25502d3a-2799-4e20-97d6-2cb552058894', name: 'acme/shop' },
  { key: '0f4e2c1a-1111-4a2b-9c3d-4e5f6a7b8c9d', name: 'acme/api:pom.xml' },
];
const FINDINGS: FakeFinding[] = [
  { id: 'pillow', title: 'Heap-based Buffer Overflow', severity: 'CRITICAL', componentName: 'pillow', componentVersion: '9.5.0', cve: 'CVE-2023-4863', cwe: 122 },
  { id: 'csrf', title: 'Cross-Site Request Forgery (CSRF)', severity: 'HIGH', cwe: 352, filePath: 'src/app.js', line: 65, description: 'Cross-Site Request Forgery (CSRF)' },
  { id: 'c', title: 'c', severity: 'MEDIUM', filePath: 'a.js', line: 3 },
  { id: 'd', title: 'd', severity: 'LOW', filePath: 'b.js', line: 4 },
  { id: 'e', title: 'e', severity: 'INFO', filePath: 'c.js', line: 5 },
];

describe('snyk kind', () => {
  let fake: FakeTool;
  beforeEach(async () => {
    fake = await startSnykFake();
    fake.setProjects(PROJECTS);
  });
  afterEach(() => fake.close());

  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('tests the connection against the organization with "token" auth and a version', async () => {
    expect(await snykKind.testConnection(ctx())).toBe('Connected to Snyk organization Acme Security');
    expect(fake.requests[0]!.url).toBe(`/rest/orgs/${ORG}?version=2024-10-15`);
    expect(fake.requests[0]!.headers).toMatchObject({ authorization: `token ${fake.token}`, accept: 'application/vnd.api+json' });
    const err = await connectorFailure(snykKind.testConnection(ctx({ options: { orgId: '00000000-0000-4000-8000-000000000000' } })));
    expect(err.message).toBe('Snyk: no organization "00000000-0000-4000-8000-000000000000" visible to this token; check the orgId');
  });

  it('discovers projects by id over links.next pages relative to /rest', async () => {
    fake.setPageSizeCap(1);
    const veps = await discoverAll(snykKind, ctx({ url: `${fake.url}/rest/` }));
    expect(veps.map((v) => [v.key, v.name])).toEqual(PROJECTS.map((p) => [p.key, p.name]));
    expect(veps[0]!.metadata).toMatchObject({ type: 'npm', origin: 'github', targetFile: 'package.json', targetReference: 'main' });
    const urls = fake.requests.map((r) => r.url);
    expect(urls[0]).toBe(`/rest/orgs/${ORG}/projects?version=2024-10-15&limit=100`);
    expect(urls.slice(1).every((u) => u.startsWith(`/rest/orgs/${ORG}/projects?version=2024-10-15&limit=100&starting_after=`))).toBe(true);
    expect(urls).toHaveLength(3);
  });

  it('fetches the project\'s issues over /rest-prefixed next links and maps every field', async () => {
    fake.setFindings(P1, FINDINGS);
    fake.setFindings(PROJECTS[1]!.key, [{ id: 'other', title: 'other project', severity: 'LOW' }]);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(snykKind, ctx(), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect(all[0]).toEqual({
      title: 'Heap-based Buffer Overflow',
      severity: 'CRITICAL',
      description: undefined,
      uniqueIdFromTool: all[0]!.uniqueIdFromTool,
      vulnIdFromTool: all[0]!.vulnIdFromTool,
      filePath: null,
      line: null,
      cwe: 122,
      cwes: [122],
      vulnerabilityIds: ['CVE-2023-4863'],
      componentName: 'pillow',
      componentVersion: '9.5.0',
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      cvssV4Score: null,
      cvssV4Vector: null,
      toolName: 'Snyk',
      dismissed: false,
      fixAvailable: true,
      references: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4863',
      service: null,
      staticFinding: true,
      dynamicFinding: false,
      date: new Date('2024-12-13T12:29:59.035Z'),
      falsePositive: false,
      mitigated: false,
      mitigatedAt: null,
    });
    expect(all[0]!.uniqueIdFromTool).toMatch(/^[0-9a-f-]{36}$/);
    expect(all[0]!.vulnIdFromTool).toMatch(/^SNYK-JS-PILLOW-[0-9a-f]{7}$/);
    expect(all[1]).toMatchObject({
      title: 'Cross-Site Request Forgery (CSRF)', description: 'Cross-Site Request Forgery (CSRF)', filePath: 'src/app.js', line: 65, cwe: 352,
      componentName: null, componentVersion: null, cvssScore: null, fixAvailable: false, vulnerabilityIds: [],
    });
    expect(new Set(all.map((f) => f.uniqueIdFromTool)).size).toBe(5);
    const urls = fake.requests.map((r) => r.url);
    expect(urls[0]).toBe(`/rest/orgs/${ORG}/issues?version=2024-10-15&scan_item.id=${P1}&scan_item.type=project&limit=100`);
    expect(urls).toHaveLength(3);
    expect(urls.slice(1).every((u) => u.startsWith(`/rest/orgs/${ORG}/issues?version=2024-10-15&scan_item.id=${P1}&scan_item.type=project&limit=100&starting_after=`))).toBe(true);
  });

  it('maps ignored issues to false positives and resolved ones to mitigated', async () => {
    fake.setFindings(P1, [
      { id: 'a', title: 'a', severity: 'HIGH', state: 'false_positive' },
      { id: 'b', title: 'b', severity: 'HIGH', state: 'risk_accepted' },
      { id: 'c', title: 'c', severity: 'HIGH', state: 'fixed' },
      { id: 'd', title: 'd', severity: 'HIGH', state: 'open' },
    ]);
    const all = (await fetchPages(snykKind, ctx(), vep)).flat();
    expect(all.map((f) => [f.title, f.falsePositive, f.mitigated, f.mitigatedAt?.toISOString() ?? null])).toEqual([
      ['a', true, false, null],
      ['b', true, false, null],
      ['c', false, true, '2025-01-02T03:04:05.000Z'],
      ['d', false, false, null],
    ]);
  });

  it('rejects a wrong token with Snyk\'s JSON:API error and never echoes the token', async () => {
    const secret = 'ffffffff-wrong-token-000000000000';
    const err = await connectorFailure(discoverAll(snykKind, ctx({ secret })));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^401 from Snyk \(the token was rejected\): .*"code":"SNYK-0005".*Authentication credentials not recognized/);
    expect(err.message).not.toContain(secret);
  });

  it('retries 429 with Retry-After and 500, then completes', async () => {
    fake.setPageSizeCap(1);
    fake.failNext(1, { status: 429, retryAfter: 0, body: '{"jsonapi":{"version":"1.0"},"errors":[{"status":"429","detail":"Too many requests"}]}', pathIncludes: 'starting_after' });
    fake.failNext(1, { status: 500, body: '{"errors":[{"status":"500"}]}' });
    expect((await discoverAll(snykKind, ctx())).map((v) => v.key)).toEqual(PROJECTS.map((p) => p.key));
    expect(fake.requests).toHaveLength(5);
  });

  it('fails on HTML, truncated JSON, a body without data, a failing later page and looping links', async () => {
    fake.failNext(1, { status: 200, contentType: 'text/html', body: '<html>maintenance</html>' });
    expect((await connectorFailure(discoverAll(snykKind, ctx()))).message).toMatch(/^Snyk answered HTTP 200 with text\/html, not JSON: an HTML page/);
    fake.failNext(1, { status: 200, body: '{"jsonapi":{"version":"1.0"},"data":[{"id":"9286' });
    expect((await connectorFailure(discoverAll(snykKind, ctx()))).message).toContain('not JSON');
    fake.failNext(1, { status: 200, body: '{"jsonapi":{"version":"1.0"},"errors":[]}' });
    expect((await connectorFailure(discoverAll(snykKind, ctx()))).message).toBe('Snyk answered the projects list without a data array');

    fake.setPageSizeCap(1);
    fake.failNext(5, { status: 503, retryAfter: 0, body: '{"errors":[{"status":"503"}]}', pathIncludes: 'starting_after' });
    expect((await connectorFailure(discoverAll(snykKind, ctx()))).message).toMatch(/^503 from Snyk: /);

    fake.setLoopingPagination(true);
    expect((await connectorFailure(discoverAll(snykKind, ctx()))).message).toMatch(/^Snyk: pagination loops back to a page already read/);
  });

  it('refuses a next link to another host, which would receive the token', async () => {
    fake.failNext(1, { status: 200, body: JSON.stringify({ jsonapi: { version: '1.0' }, data: [], links: { next: 'https://collector.example/rest/orgs/x/projects?version=2024-10-15' } }) });
    const err = await connectorFailure(discoverAll(snykKind, ctx()));
    expect(err.message).toMatch(/^Snyk: the next-page link points at https:\/\/collector\.example, not http:\/\/127\.0\.0\.1:\d+; refusing to send the token there$/);
    expect(fake.requests).toHaveLength(1);
  });

  it('requires an organization UUID', () => {
    expect(snykKind.validateOptions!({}, 'https://api.snyk.io')).toBe('orgId: the Snyk organization ID is required');
    expect(snykKind.validateOptions!({ orgId: 'acme-security' }, 'https://api.snyk.io')).toBe('orgId: "acme-security" is not an organization ID (a UUID, not the organization\'s slug)');
    expect(snykKind.validateOptions!({ orgId: ORG }, 'https://api.snyk.io')).toBeNull();
  });
});

// the fields analysts asked for (issue 12), on an issue shaped as Snyk's REST reference documents it
describe('snyk issues: analyst fields', () => {
  it('keeps CVSS v3 and v4 apart, every CWE, and an ignore as the tool\'s dismissal', () => {
    const f = normalizeSnykIssue({ id: 'c9b1f7e2-0000-4000-8000-000000000001', type: 'issue', attributes: {
      key: 'SNYK-PYTHON-PILLOW-5918878', title: 'Heap-based Buffer Overflow', type: 'package_vulnerability', status: 'open', ignored: true,
      effective_severity_level: 'high', created_at: '2025-01-02T00:00:00Z',
      classes: [{ id: 'CWE-122', source: 'CWE', type: 'weakness' }, { id: 'CWE-787', source: 'CWE', type: 'weakness' }],
      severities: [
        { source: 'Snyk', level: 'high', score: 8.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' },
        { source: 'Snyk', level: 'high', score: 8.6, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      ],
      problems: [{ id: 'CVE-2023-4863', source: 'NVD', type: 'vulnerability', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4863' }],
    } });
    expect(f).toMatchObject({ cvssScore: 8.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', cvssV4Score: 8.6,
      cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', cwe: 122, cwes: [122, 787], toolName: 'Snyk',
      falsePositive: true, dismissed: true });
  });
});
