// The defectdojo kind against its fake (test/fakes/defectdojo.ts) and against a finding of our own
// shaped as DefectDojo's API v2 schema documents it: what each field becomes, products as Records,
// Token auth failures, and the pagination edges DRF's LimitOffsetPagination brings (the `count`
// check, a `next` on another host, a list that changes while it is read).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defectdojoKind } from '@tributary/server/connectors/defectdojo.ts';
import { normalizeDojoFinding } from '@tributary/server/connectors/defectdojo-findings.ts';
import { DOJO_EPOCH, startDefectDojoFake, type DefectDojoFake } from '../fakes/defectdojo.ts';
import { startHttpFake } from '../fakes/http-fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, requestsTo } from '../support/kinds.ts';

const PRODUCTS = [
  { key: '7', name: 'Payments API' },
  { key: '9', name: 'Storefront' },
  { key: '12', name: 'Mobile' },
];
const VEP = { key: '7', name: 'Payments API' };
const BASE = 'https://dojo.example.com';

let fake: DefectDojoFake;
beforeEach(async () => { fake = await startDefectDojoFake(); fake.setProjects(PRODUCTS); });
afterEach(async () => { await fake.close(); });

/** A finding as GET /api/v2/findings/?related_fields=true documents it (fields we do not read left out). */
function dojoFinding(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 4711, title: 'Log4Shell in log4j-core', date: '2024-05-03', severity: 'Critical', numerical_severity: 'S0',
    description: 'JNDI lookup in log messages', mitigation: 'Upgrade log4j-core to 2.17.1', references: 'https://logging.apache.org/log4j/2.x/security.html',
    cwe: 502, line: 42, file_path: 'pom.xml', component_name: 'org.apache.logging.log4j:log4j-core', component_version: '2.14.1',
    vulnerability_ids: [{ vulnerability_id: 'cve-2021-44228' }, { vulnerability_id: 'GHSA-jfh8-c2jp-5v3q' }],
    vuln_id_from_tool: 'CVE-2021-44228', unique_id_from_tool: 'trivy-7f3a', hash_code: 'ab'.repeat(32),
    cvssv3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', cvssv3_score: 10,
    cvssv4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', cvssv4_score: 10,
    epss_score: 0.97565, epss_percentile: 0.99996, known_exploited: true, kev_date: '2021-12-10',
    fix_available: true, fix_version: '2.17.1',
    active: true, verified: true, false_p: false, duplicate: false, out_of_scope: false, risk_accepted: false,
    is_mitigated: false, mitigated: null, last_status_update: '2024-05-04T10:00:00.000000Z',
    static_finding: true, dynamic_finding: false, accepted_risks: [],
    related_fields: { test: { id: 90, title: null, test_type: { id: 80, name: 'Trivy Scan' }, engagement: { id: 70, name: 'CI/CD', product: 7 } }, jira: null },
    ...over,
  };
}

describe('defectdojo kind', () => {
  it('tests the connection with Token auth, whether the URL carries /api/v2 or not', async () => {
    expect(await defectdojoKind.testConnection(contextFor(fake))).toBe('Connected to DefectDojo; the key sees 3 products');
    expect(await defectdojoKind.testConnection(contextFor(fake, { url: `${fake.url}/api/v2/` }))).toBe('Connected to DefectDojo; the key sees 3 products');
    fake.setProjects([PRODUCTS[0]!]);
    expect(await defectdojoKind.testConnection(contextFor(fake))).toBe('Connected to DefectDojo; the key sees 1 product');
    expect(fake.requests.map((r) => r.url)).toEqual(['/api/v2/products/?limit=1', '/api/v2/products/?limit=1', '/api/v2/products/?limit=1']);
    expect(fake.requests[0]!.headers.authorization).toBe(`Token ${fake.token}`);
  });

  it('discovers products by id over DRF pages, with the product\'s page, type, lifecycle and criticality', async () => {
    fake.setPageSizeCap(2);
    const veps = await discoverAll(defectdojoKind, contextFor(fake));
    expect(veps.map((v) => [v.key, v.name])).toEqual(PRODUCTS.map((p) => [p.key, p.name]));
    expect(veps[0]!.metadata).toEqual({ url: `${fake.url}/product/7`, productType: 1, lifecycle: 'production', businessCriticality: 'high' });
    // the kind asks for 100 a page ordered by id; the cap of 2 makes DRF write two `next` links
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/api/v2/products/?limit=100&offset=0&o=id',
      '/api/v2/products/?limit=2&offset=2&o=id',
    ]);
  });

  it('fetches every finding of the product, every status, and maps the fake\'s rendering field by field', async () => {
    fake.setFindings('7', [
      { id: 'log4j', title: 'Log4Shell', severity: 'CRITICAL', cve: 'CVE-2021-44228', cwe: 502, componentName: 'log4j-core', componentVersion: '2.14.1', filePath: 'pom.xml', line: 12 },
      { id: 'xss', title: 'Reflected XSS', severity: 'MEDIUM', cwe: 79, filePath: 'src/search.ts', line: 88, state: 'false_positive' },
      { id: 'sqli', title: 'SQL injection', severity: 'HIGH', cwe: 89, filePath: 'src/db.ts', line: 5, state: 'risk_accepted' },
      { id: 'old', title: 'Weak hash', severity: 'LOW', filePath: 'src/hash.ts', line: 3, state: 'fixed' },
      { id: 'note', title: 'Debug flag', severity: 'INFO' },
    ]);
    fake.addDuplicate('7', { id: 'log4j-again', title: 'Log4Shell', severity: 'CRITICAL', cve: 'CVE-2021-44228' }, 'log4j');
    fake.setFindings('9', [{ id: 'elsewhere', title: 'Other product', severity: 'LOW' }]);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(defectdojoKind, contextFor(fake), VEP);
    // 6 rows in 3 pages; the duplicate (a pointer at an original in the same product) is left out
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.title)).toEqual(['Log4Shell', 'Reflected XSS', 'SQL injection', 'Weak hash', 'Debug flag']);
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'MEDIUM', 'HIGH', 'LOW', 'INFO']);
    const first = requestsTo(fake, '/api/v2/findings/')[0]!;
    expect(first.url).toBe('/api/v2/findings/?test__engagement__product=7&limit=250&offset=0&o=id&related_fields=true');
    const id = (n: number) => Number(all[n]!.uniqueIdFromTool);
    expect(all[0]).toEqual({
      title: 'Log4Shell', severity: 'CRITICAL', description: 'Log4Shell',
      mitigation: 'Upgrade log4j-core to a fixed version.', references: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
      uniqueIdFromTool: String(id(0)), vulnIdFromTool: 'CVE-2021-44228', filePath: 'pom.xml', line: 12, cwe: 502,
      vulnerabilityIds: ['CVE-2021-44228'], componentName: 'log4j-core', componentVersion: '2.14.1',
      cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvssV4Score: null, cvssV4Vector: null,
      epssScore: 0.00043, epssPercentile: 0.07756, knownExploited: false, fixAvailable: true, fixVersion: '9.9.9',
      vendorUrl: `${fake.url}/finding/${id(0)}`, toolName: 'Trivy Scan', staticFinding: false, dynamicFinding: false,
      date: new Date(DOJO_EPOCH), verified: true, falsePositive: false, riskAccepted: false, outOfScope: false,
      mitigated: false, mitigatedAt: null, dismissed: false, dismissedAt: null, dismissedReason: null,
    });
    // DefectDojo's own finding id is the unique id: integers, distinct, each a link back
    expect(new Set(all.map((f) => f.uniqueIdFromTool)).size).toBe(5);
    expect(all.every((f) => /^\d+$/.test(f.uniqueIdFromTool!) && f.vendorUrl === `${fake.url}/finding/${f.uniqueIdFromTool}`)).toBe(true);
    // status flags carried over, with who-what-when of the dismissal where DefectDojo has it
    expect(all.map((f) => [f.title, f.falsePositive, f.riskAccepted, f.mitigated, f.dismissed])).toEqual([
      ['Log4Shell', false, false, false, false],
      ['Reflected XSS', true, false, false, true],
      ['SQL injection', false, true, false, true],
      ['Weak hash', false, false, true, false],
      ['Debug flag', false, false, false, false],
    ]);
    expect(all[1]).toMatchObject({ dismissedReason: 'false positive', dismissedAt: new Date('2024-06-02T09:00:00Z'), toolName: 'Semgrep JSON Report', cwe: 79 });
    expect(all[2]).toMatchObject({ dismissedReason: 'risk accepted; Accepted until the Q3 upgrade; compensating WAF rule', dismissedAt: new Date('2024-06-02T09:00:00Z') });
    expect(all[3]).toMatchObject({ mitigatedAt: new Date(DOJO_EPOCH + 30 * 86_400_000), cwe: null, verified: false });
  });

  it('a wrong or missing key fails with DefectDojo\'s own reason and never the key', async () => {
    const secret = 'ffffffffffffffffffffffffffffffffffffffff';
    const wrong = await connectorFailure(discoverAll(defectdojoKind, contextFor(fake, { secret })));
    expect(wrong.status).toBe(401);
    expect(wrong.message).toMatch(/^401 from DefectDojo \(the token was rejected\): \{"detail":"Invalid token\."\} \(http:\/\/127\.0\.0\.1:\d+\/api\/v2\/products\/\?limit=100&offset=0&o=id\)$/);
    expect(wrong.message).not.toContain(secret);
    // no key at all: the header goes as "Token" and DRF's answer names the cause
    const none = await connectorFailure(defectdojoKind.testConnection(contextFor(fake, { secret: '' })));
    expect(none.message).toMatch(/^401 from DefectDojo \(the token was rejected\): \{"detail":"(Invalid token\.|Authentication credentials were not provided\.)"\}/);
  });

  it('refuses a listing whose rows do not add up to the count DRF announced', async () => {
    fake.failNext(1, { status: 200, body: JSON.stringify({ count: 3, next: null, previous: null, results: [{ id: 7, name: 'Payments API' }, { id: 9, name: 'Storefront' }] }) });
    const err = await connectorFailure(discoverAll(defectdojoKind, contextFor(fake)));
    expect(err.message).toBe('DefectDojo announced 3 products but sent 2: the list changed while it was read; try again');
  });

  it('refuses a listing that changed between pages, even when the last count matches what was read', async () => {
    const five = [1, 2, 3, 4, 5].map((n) => ({ key: String(n), name: `product-${n}` }));
    fake.setProjects(five);
    fake.setPageSizeCap(2);
    // product 1 is deleted once the first page is read: offsets shift, and product 3 falls between
    // pages. 4 rows arrive (1, 2, 4, 5) and the last page says count 4, so only the changed count
    // on the way tells that the listing is not complete.
    const seen: string[] = [];
    const err = await connectorFailure((async () => {
      for await (const vep of defectdojoKind.discover(contextFor(fake))) {
        if (!seen.length) fake.setProjects(five.slice(1));
        seen.push(vep.key);
      }
    })());
    expect(err.message).toBe('DefectDojo announced 5 products, then 4 while they were read: the list changed; try again');
    expect(seen).not.toContain('3');
  });

  it('follows an absolute next on the configured host, refuses one on another host and one that is not a link', async () => {
    const foreign = await startHttpFake(() => ({ body: { count: 0, next: null, results: [] } }), { pageSizeCap: 100 });
    try {
      fake.setPageSizeCap(1);
      fake.setNextLinkOrigin!(foreign.url);
      const err = await connectorFailure(discoverAll(defectdojoKind, contextFor(fake)));
      expect(err.message).toBe(`DefectDojo: the next-page link points at ${foreign.url}, not ${fake.url}; refusing to send the token there`);
      expect(foreign.requests).toEqual([]);
    } finally {
      await foreign.close();
    }
    fake.failNext(1, { status: 200, body: JSON.stringify({ count: 3, next: { offset: 1 }, previous: null, results: [{ id: 7, name: 'Payments API' }] }) });
    expect((await connectorFailure(discoverAll(defectdojoKind, contextFor(fake)))).message).toBe('DefectDojo sent a next that is not a link (products)');
    fake.failNext(1, { status: 200, body: JSON.stringify({ detail: 'Not found.' }) });
    expect((await connectorFailure(discoverAll(defectdojoKind, contextFor(fake)))).message).toBe('DefectDojo answered the products list without count and results (is the URL the DefectDojo root?)');
  });

  it('refuses a product key that is not a DefectDojo id before sending anything', async () => {
    const err = await connectorFailure(fetchPages(defectdojoKind, contextFor(fake), { key: 'payments', name: 'Payments' }));
    expect(err.message).toBe('"payments" is not a DefectDojo product id');
    expect(fake.requests).toEqual([]);
  });
});

describe('defectdojo findings: a documented API v2 finding, field by field', () => {
  it('carries every field an analyst reads, the vulnerability ids as DefectDojo lists them', () => {
    expect(normalizeDojoFinding(dojoFinding(), BASE)).toEqual({
      title: 'Log4Shell in log4j-core', severity: 'CRITICAL', description: 'JNDI lookup in log messages',
      mitigation: 'Upgrade log4j-core to 2.17.1', references: 'https://logging.apache.org/log4j/2.x/security.html',
      // DefectDojo's finding id, not the scanner's unique_id_from_tool: one product holds many tests
      uniqueIdFromTool: '4711', vulnIdFromTool: 'CVE-2021-44228', filePath: 'pom.xml', line: 42, cwe: 502,
      // canonical casing is the reimport engine's job (reimport-prepare.ts): passed as written
      vulnerabilityIds: ['cve-2021-44228', 'GHSA-jfh8-c2jp-5v3q'],
      componentName: 'org.apache.logging.log4j:log4j-core', componentVersion: '2.14.1',
      cvssScore: 10, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      cvssV4Score: 10, cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H',
      epssScore: 0.97565, epssPercentile: 0.99996, knownExploited: true, fixAvailable: true, fixVersion: '2.17.1',
      vendorUrl: `${BASE}/finding/4711`, toolName: 'Trivy Scan', staticFinding: true, dynamicFinding: false,
      date: new Date('2024-05-03T00:00:00Z'), verified: true, falsePositive: false, riskAccepted: false, outOfScope: false,
      mitigated: false, mitigatedAt: null, dismissed: false, dismissedAt: null, dismissedReason: null,
    });
  });

  it('maps DefectDojo\'s five severities, and anything else to Info', () => {
    const sev = (severity: unknown) => normalizeDojoFinding(dojoFinding({ severity }), BASE).severity;
    expect(['Critical', 'High', 'Medium', 'Low', 'Info'].map(sev)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect([' high', 'S0', '', null, undefined].map(sev)).toEqual(['INFO', 'INFO', 'INFO', 'INFO', 'INFO']);
  });

  it('reads DefectDojo\'s "none" values as absent: cwe 0, no line, scores as strings or null, no related_fields', () => {
    const f = normalizeDojoFinding(dojoFinding({
      cwe: 0, line: null, cvssv3_score: '7.5', cvssv3: '', cvssv4: null, cvssv4_score: null, epss_score: null, epss_percentile: null,
      known_exploited: null, fix_available: null, fix_version: null, title: '', description: '  ', vulnerability_ids: [], vuln_id_from_tool: null, related_fields: null,
    }), BASE);
    expect(f).toMatchObject({
      title: 'DefectDojo finding 4711', description: undefined, cwe: null, line: null, cvssScore: 7.5, cvssVector: null,
      cvssV4Score: null, epssScore: null, epssPercentile: null, knownExploited: null, fixAvailable: null, fixVersion: null,
      vulnerabilityIds: [], vulnIdFromTool: null, toolName: null,
    });
  });

  it('carries the status flags: false positive, risk acceptance with its decision, out of scope, mitigated, made inactive', () => {
    const fp = normalizeDojoFinding(dojoFinding({ active: false, false_p: true }), BASE);
    expect(fp).toMatchObject({ falsePositive: true, dismissed: true, mitigated: false, dismissedReason: 'false positive', dismissedAt: new Date('2024-05-04T10:00:00Z') });
    const ra = normalizeDojoFinding(dojoFinding({
      active: false, risk_accepted: true,
      accepted_risks: [{ id: 3, name: 'Vendor patch pending', decision: 'A', decision_details: 'WAF rule 9312 blocks JNDI strings', created: '2024-05-10T08:30:00Z' }],
    }), BASE);
    expect(ra).toMatchObject({ riskAccepted: true, dismissed: true, mitigated: false, dismissedAt: new Date('2024-05-10T08:30:00Z'), dismissedReason: 'risk accepted; Vendor patch pending; WAF rule 9312 blocks JNDI strings' });
    const oos = normalizeDojoFinding(dojoFinding({ active: false, out_of_scope: true }), BASE);
    expect(oos).toMatchObject({ outOfScope: true, dismissed: true, mitigated: false, dismissedReason: 'out of scope' });
    const fixed = normalizeDojoFinding(dojoFinding({ active: false, is_mitigated: true, mitigated: '2024-06-01T12:00:00Z' }), BASE);
    expect(fixed).toMatchObject({ mitigated: true, mitigatedAt: new Date('2024-06-01T12:00:00Z'), dismissed: false });
    // made inactive by hand with no flag: DefectDojo shows "Inactive"; here it is closed, not dismissed
    const inactive = normalizeDojoFinding(dojoFinding({ active: false }), BASE);
    expect(inactive).toMatchObject({ mitigated: true, mitigatedAt: null, dismissed: false, falsePositive: false });
  });
});
