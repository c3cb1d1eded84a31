// The semgrep kind against its fake (test/fakes/semgrep.ts) and against findings of our own shaped
// as Semgrep's API v1 reference documents them (Code and Supply Chain): what each field becomes,
// triage carried over, projects as Records, a rejected token, and the edges Semgrep's offset paging
// brings: no total and no next link, so a list ends only on an empty page, a short page is not the
// end, and the same id served twice fails the listing instead of looping or double-counting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { semgrepKind } from '@tributary/server/connectors/semgrep.ts';
import { normalizeSemgrepFinding } from '@tributary/server/connectors/semgrep-findings.ts';
import type { FakeTool } from '../fakes/fake.ts';
import { SEMGREP_EPOCH, startSemgrepFake } from '../fakes/semgrep.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, requestsTo } from '../support/kinds.ts';

const PROJECTS = [
  { key: '500001', name: 'acme/payments' },
  { key: '500002', name: 'acme/storefront' },
  { key: '500003', name: 'acme/mobile' },
];
const VEP = PROJECTS[0]!;
const WEB = 'https://semgrep.dev/orgs/acme-corp/findings';

let fake: FakeTool;
beforeEach(async () => { fake = await startSemgrepFake(); fake.setProjects(PROJECTS); });
afterEach(async () => { await fake.close(); });

const pageOf = (url: string) => new URL(url, 'http://x').searchParams.get('page');

/** A Code finding as GET /api/v1/deployments/{slug}/findings documents it. */
function codeFinding(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 73537136, ref: 'refs/heads/main', first_seen_scan_id: 30469983,
    syntactic_id: '440eeface888e78afceac3dc7d4cc2cf', match_based_id: '440eeface888e78afceac3dc7d4cc2cf_0',
    external_ticket: null, repository: { name: 'acme/payments', url: 'https://github.com/acme/payments' },
    line_of_code_url: 'https://github.com/acme/payments/blob/71bbed1/src/db.py#L42',
    state: 'unresolved', triage_state: 'untriaged', status: 'open', confidence: 'high', severity: 'high',
    categories: ['security'], created_at: '2024-08-01T10:00:00.000Z', relevant_since: '2024-08-01T10:00:00.000Z',
    rule_name: 'python.django.security.injection.sql.sql-injection-using-raw', rule_message: 'Untrusted input reaches a raw SQL query',
    location: { file_path: 'src/db.py', line: 42, column: 9, end_line: 45, end_column: 30 },
    sourcing_policy: { id: 1, name: 'Default', slug: 'default' },
    triaged_at: null, triage_comment: null, triage_reason: null, state_updated_at: null,
    rule: {
      name: 'python.django.security.injection.sql.sql-injection-using-raw', message: 'Untrusted input reaches a raw SQL query',
      confidence: 'high', category: 'security', subcategories: ['vuln'], vulnerability_classes: ['SQL Injection'],
      cwe_names: ['CWE-89: Improper Neutralization of Special Elements used in an SQL Command (\'SQL Injection\')', 'CWE-943: Improper Neutralization of Special Elements in Data Query Logic'],
      owasp_names: ['A03:2021 - Injection'],
    },
    assistant: null,
    ...over,
  };
}

/** A Supply Chain finding: the same envelope plus the dependency, the advisory and the fix. */
function scaFinding(over: Record<string, unknown> = {}): Record<string, unknown> {
  return codeFinding({
    id: 73537200, match_based_id: 'f1d2e3_0', rule_name: 'ssc-3a4f1f77-lodash', rule_message: 'Prototype pollution in lodash', severity: 'critical',
    location: { file_path: 'package-lock.json', line: 812, column: 5, end_line: 812, end_column: 40 },
    rule: { name: 'ssc-3a4f1f77-lodash', message: 'Prototype pollution in lodash', cwe_names: ['CWE-1321: Prototype Pollution'] },
    vulnerability_identifier: 'CVE-2020-8203', reachability: 'reachable', reachable_condition: null,
    found_dependency: { package: 'lodash', version: '4.17.15', ecosystem: 'npm', transitivity: 'direct', lockfile_line_url: 'https://github.com/acme/payments/blob/main/package-lock.json#L812' },
    fix_recommendations: [{ package: 'lodash', version: '4.17.19' }, { package: 'lodash', version: '4.17.21' }],
    ...over,
  });
}

describe('semgrep kind', () => {
  it('tests the connection against /deployments and names a slug the token cannot see', async () => {
    expect(await semgrepKind.testConnection(contextFor(fake))).toBe('Connected to Semgrep deployment Acme Corp');
    expect(fake.requests[0]!.url).toBe('/api/v1/deployments');
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.token}`);
    const err = await connectorFailure(semgrepKind.testConnection(contextFor(fake, { options: { deploymentSlug: 'acme' } })));
    expect(err.message).toBe('Semgrep: this token sees no deployment "acme" (it sees: acme-corp)');
  });

  it('discovers projects by id and reads pages until an empty one: a short page is not the end', async () => {
    fake.setPageSizeCap(2);
    const veps = await discoverAll(semgrepKind, contextFor(fake));
    expect(veps.map((v) => [v.key, v.name])).toEqual(PROJECTS.map((p) => [p.key, p.name]));
    expect(veps[0]!.metadata).toEqual({ url: 'https://github.com/acme/payments', defaultBranch: 'refs/heads/main', latestScanAt: '2024-08-01T10:00:00.000000Z', tags: ['team:payments'] });
    // asked for 100, served 2: pages 0 and 1 hold the three, page 2 is the empty one that ends it
    expect(fake.requests.map((r) => r.url)).toEqual([0, 1, 2].map((n) => `/api/v1/deployments/acme-corp/projects?page_size=100&page=${n}`));
  });

  it('fetches Code then Supply Chain findings of the project\'s repository and maps them field by field', async () => {
    fake.setFindings(VEP.key, [
      { id: 'sqli', title: 'SQL injection', severity: 'HIGH', cwe: 89, filePath: 'src/db.py', line: 42, description: 'Untrusted input reaches SQL' },
      { id: 'xss', title: 'XSS', severity: 'MEDIUM', cwe: 79, filePath: 'src/view.py', line: 7, state: 'false_positive' },
      { id: 'md5', title: 'Weak hash', severity: 'LOW', filePath: 'src/hash.py', line: 3, state: 'risk_accepted' },
      { id: 'dbg', title: 'Debug on', severity: 'INFO', filePath: 'settings.py', line: 1, state: 'fixed' },
      { id: 'lodash', title: 'Prototype pollution', severity: 'CRITICAL', cve: 'CVE-2020-8203', componentName: 'lodash', componentVersion: '4.17.15' },
    ]);
    fake.setFindings(PROJECTS[1]!.key, [{ id: 'other', title: 'Elsewhere', severity: 'LOW', filePath: 'a.py' }]);
    fake.setPageSizeCap(3);
    const pages = await fetchPages(semgrepKind, contextFor(fake), VEP);
    expect(pages.map((p) => p.length)).toEqual([3, 1, 1]);
    const findingRequests = requestsTo(fake, '/api/v1/deployments/acme-corp/findings').map((r) => r.url);
    expect(findingRequests).toEqual([
      ...[0, 1, 2].map((n) => `/api/v1/deployments/acme-corp/findings?issue_type=sast&repos=acme%2Fpayments&ref=_default&dedup=true&page_size=500&page=${n}`),
      ...[0, 1].map((n) => `/api/v1/deployments/acme-corp/findings?issue_type=sca&repos=acme%2Fpayments&ref=_default&dedup=true&page_size=500&page=${n}`),
    ]);
    const all = pages.flat();
    const [sqli, xss, md5, dbg, lodash] = all;
    expect(sqli).toEqual({
      title: 'python.lang.security.sql-injection', severity: 'HIGH', description: 'Untrusted input reaches SQL', mitigation: null,
      uniqueIdFromTool: expect.stringMatching(/^[0-9a-f]{84}$/), vulnIdFromTool: 'python.lang.security.sql-injection',
      filePath: 'src/db.py', line: 42, endLine: 44, cwes: [89], cwe: 89, vulnerabilityIds: [],
      componentName: null, componentVersion: null, fixVersion: null, fixAvailable: null,
      references: 'https://github.com/acme/payments/blob/71bbed12f950de8335006d7f91112263d8504f1b/src/db.py#L42',
      vendorUrl: `${fake.url}/orgs/acme-corp/findings/${73_537_001}`, toolName: 'Semgrep Code', staticFinding: true, dynamicFinding: false,
      date: new Date(SEMGREP_EPOCH), falsePositive: false, riskAccepted: false, dismissed: false, dismissedAt: null, dismissedReason: null,
      verified: false, mitigated: false, mitigatedAt: null,
    });
    expect(xss).toMatchObject({ falsePositive: true, riskAccepted: false, dismissed: true, dismissedAt: new Date('2024-08-02T11:00:00Z'), dismissedReason: 'false_positive: reviewed with the team', mitigated: false });
    expect(md5).toMatchObject({ falsePositive: false, riskAccepted: true, dismissed: true, dismissedReason: 'acceptable_risk: reviewed with the team' });
    expect(dbg).toMatchObject({ severity: 'LOW', mitigated: true, mitigatedAt: new Date('2024-08-02T11:00:00Z'), dismissed: false });
    expect(lodash).toMatchObject({
      title: 'ssc.prototype-pollution', severity: 'CRITICAL', vulnerabilityIds: ['CVE-2020-8203'], componentName: 'lodash', componentVersion: '4.17.15',
      fixVersion: '9.9.9', fixAvailable: true, mitigation: 'Upgrade lodash to 9.9.9', toolName: 'Semgrep Supply Chain', filePath: 'package-lock.json',
    });
    expect(new Set(all.map((f) => f.uniqueIdFromTool)).size).toBe(5);
  });

  it('a rejected token fails naming the cause, never the token', async () => {
    const secret = 'sgp_ffffffffffffffffffffffffffffffffffffffff';
    for (const work of [semgrepKind.testConnection(contextFor(fake, { secret })), discoverAll(semgrepKind, contextFor(fake, { secret }))]) {
      const err = await connectorFailure(work);
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/^401 from Semgrep \(the token was rejected\): /);
      expect(err.message).not.toContain(secret);
    }
  });

  it('a deployment slug the token cannot see fails the listing with the slug named', async () => {
    const err = await connectorFailure(discoverAll(semgrepKind, contextFor(fake, { options: { deploymentSlug: 'acme' } })));
    expect(err.status).toBe(404);
    expect(err.message).toBe('Semgrep: no deployment "acme" visible to this token (404 listing projects); check the deployment slug');
  });

  it('the same id on a later page fails the listing instead of counting it twice or looping', async () => {
    fake.setPageSizeCap(2);
    // page 1 answers with project 500002 again (a list that shifted, or a server ignoring `page`)
    fake.failNext(1, { status: 200, pathIncludes: 'page=1', body: JSON.stringify({ projects: [{ id: 500002, name: 'acme/storefront' }, { id: 500004, name: 'acme/new' }] }) });
    const err = await connectorFailure(discoverAll(semgrepKind, contextFor(fake)));
    expect(err.message).toBe('Semgrep listed projects 500002 twice while paging: the pagination loops or the list changed; try again');
    fake.setLoopingPagination(true);
    fake.setFindings(VEP.key, [{ id: 'a', title: 'a', severity: 'LOW', filePath: 'a.py' }, { id: 'b', title: 'b', severity: 'LOW', filePath: 'b.py' }, { id: 'c', title: 'c', severity: 'LOW', filePath: 'c.py' }]);
    const loop = await connectorFailure(fetchPages(semgrepKind, contextFor(fake), VEP));
    expect(loop.message).toMatch(/^Semgrep listed sast findings \d+ twice while paging/);
  });

  it('refuses a page without its array and an item without an id', async () => {
    fake.failNext(1, { status: 200, body: JSON.stringify({ error: 'maintenance' }) });
    expect((await connectorFailure(discoverAll(semgrepKind, contextFor(fake)))).message).toBe('Semgrep answered the projects list without a "projects" array');
    fake.failNext(1, { status: 200, body: JSON.stringify({ projects: [{ name: 'acme/anonymous' }] }) });
    expect((await connectorFailure(discoverAll(semgrepKind, contextFor(fake)))).message).toBe('Semgrep listed one of the projects without an id');
    expect(pageOf(fake.requests.at(-1)!.url)).toBe('0');
  });

  it('validates the deployment slug', () => {
    expect(semgrepKind.validateOptions!({}, 'https://semgrep.dev')).toBe('deploymentSlug: the Semgrep deployment slug is required');
    expect(semgrepKind.validateOptions!({ deploymentSlug: 'acme corp/x' }, 'https://semgrep.dev')).toBe('deploymentSlug: "acme corp/x" is not a deployment slug (letters, digits, - and _)');
    expect(semgrepKind.validateOptions!({ deploymentSlug: 'acme-corp' }, 'https://semgrep.dev')).toBeNull();
  });
});

describe('semgrep findings: documented API v1 findings, field by field', () => {
  it('a Code finding: rule as title and vuln id, match_based_id as unique id, every CWE, the location range', () => {
    expect(normalizeSemgrepFinding(codeFinding(), 'sast', WEB)).toEqual({
      title: 'python.django.security.injection.sql.sql-injection-using-raw', severity: 'HIGH',
      description: 'Untrusted input reaches a raw SQL query', mitigation: null,
      uniqueIdFromTool: '440eeface888e78afceac3dc7d4cc2cf_0', vulnIdFromTool: 'python.django.security.injection.sql.sql-injection-using-raw',
      filePath: 'src/db.py', line: 42, endLine: 45, cwes: [89, 943], cwe: 89, vulnerabilityIds: [],
      componentName: null, componentVersion: null, fixVersion: null, fixAvailable: null,
      references: 'https://github.com/acme/payments/blob/71bbed1/src/db.py#L42', vendorUrl: `${WEB}/73537136`,
      toolName: 'Semgrep Code', staticFinding: true, dynamicFinding: false, date: new Date('2024-08-01T10:00:00Z'),
      falsePositive: false, riskAccepted: false, dismissed: false, dismissedAt: null, dismissedReason: null,
      verified: false, mitigated: false, mitigatedAt: null,
    });
  });

  it('a Supply Chain finding: the advisory, the dependency and every fix version', () => {
    expect(normalizeSemgrepFinding(scaFinding(), 'sca', WEB)).toMatchObject({
      title: 'ssc-3a4f1f77-lodash', severity: 'CRITICAL', vulnerabilityIds: ['CVE-2020-8203'], cwes: [1321], cwe: 1321,
      componentName: 'lodash', componentVersion: '4.17.15', fixVersion: '4.17.19, 4.17.21', fixAvailable: true,
      mitigation: 'Upgrade lodash to 4.17.19\nUpgrade lodash to 4.17.21', toolName: 'Semgrep Supply Chain', line: 812, endLine: null,
      uniqueIdFromTool: 'f1d2e3_0', vendorUrl: `${WEB}/73537200`,
    });
    // no fix published: known to have none, rather than unknown
    expect(normalizeSemgrepFinding(scaFinding({ fix_recommendations: [] }), 'sca', WEB)).toMatchObject({ fixVersion: null, fixAvailable: false, mitigation: null });
    // Assistant's remediation guidance, when the deployment has it, is the mitigation
    expect(normalizeSemgrepFinding(codeFinding({ assistant: { guidance: { summary: 'Use params', instructions: 'Pass user input as query parameters' } } }), 'sast', WEB).mitigation)
      .toBe('Pass user input as query parameters');
  });

  it('maps Semgrep\'s four severities and the older rule levels as Semgrep and DefectDojo do; anything else is Info', () => {
    const sev = (severity: unknown) => normalizeSemgrepFinding(codeFinding({ severity }), 'sast', WEB).severity;
    expect(['critical', 'high', 'medium', 'low'].map(sev)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
    // ERROR, WARNING and INFO "correspond to High, Medium, and Low" (semgrep.dev/docs/kb/rules/understand-severities)
    expect(['ERROR', 'WARNING', 'INFO', 'info'].map(sev)).toEqual(['HIGH', 'MEDIUM', 'LOW', 'LOW']);
    expect(['experiment', 'inventory', '', null].map(sev)).toEqual(['INFO', 'INFO', 'INFO', 'INFO']);
  });

  it('carries triage: each ignore reason, fixing/reviewing as verified, fixed and removed as mitigated', () => {
    const ignored = (reason: string | null, comment: string | null) => normalizeSemgrepFinding(codeFinding({
      state: 'muted', triage_state: 'ignored', status: 'ignored', triage_reason: reason, triage_comment: comment,
      triaged_at: '2024-08-05 09:30:00.123456', state_updated_at: '2024-08-05T09:30:00Z',
    }), 'sast', WEB);
    expect(ignored('false_positive', 'sanitised by the ORM')).toMatchObject({ falsePositive: true, riskAccepted: false, dismissed: true, dismissedAt: new Date('2024-08-05T09:30:00.123Z'), dismissedReason: 'false_positive: sanitised by the ORM' });
    expect(ignored('acceptable_risk', null)).toMatchObject({ falsePositive: false, riskAccepted: true, dismissed: true, dismissedReason: 'acceptable_risk' });
    // "no time to fix" is neither: inactive as dismissed in the tool, without claiming more
    expect(ignored('no_time', null)).toMatchObject({ falsePositive: false, riskAccepted: false, dismissed: true, dismissedReason: 'no_time' });
    expect(ignored(null, null)).toMatchObject({ dismissed: true, dismissedReason: null });
    expect(normalizeSemgrepFinding(codeFinding({ status: 'fixing', triage_state: 'fixing' }), 'sast', WEB)).toMatchObject({ verified: true, dismissed: false, mitigated: false });
    expect(normalizeSemgrepFinding(codeFinding({ status: 'reviewing', triage_state: 'reviewing' }), 'sast', WEB)).toMatchObject({ verified: true });
    expect(normalizeSemgrepFinding(codeFinding({ state: 'fixed', status: 'fixed', triage_state: 'fixed', state_updated_at: '2024-09-01T00:00:00Z' }), 'sast', WEB))
      .toMatchObject({ mitigated: true, mitigatedAt: new Date('2024-09-01T00:00:00Z'), dismissed: false });
    expect(normalizeSemgrepFinding(codeFinding({ status: 'removed' }), 'sast', WEB)).toMatchObject({ mitigated: true });
  });
});
