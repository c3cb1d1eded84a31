import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dependencyTrackKind, normalizeFinding } from '@tributary/server/connectors/dependency-track.ts';
import type { FakeFinding, FakeTool } from '../fakes/fake.ts';
import { DT_EPOCH, dtMatrix, dtPurl, dtUuid, startDependencyTrackFake } from '../fakes/dependency-track.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, requestsTo } from '../support/kinds.ts';

const PROJECT = { key: dtUuid('project/shop'), name: 'shop@2.4.0' };
const VEP = { key: PROJECT.key, name: 'shop 2.4.0' };

let fake: FakeTool;
beforeEach(async () => { fake = await startDependencyTrackFake(); fake.setProjects([PROJECT]); });
afterEach(async () => { await fake.close(); });

const finding = (n: number, over: Partial<FakeFinding> = {}): FakeFinding => ({
  id: `f${n}`, title: `Vulnerability ${n}`, severity: 'HIGH', description: `Details of ${n}`, cve: `CVE-2024-${1000 + n}`,
  cwe: 502, componentName: 'org.apache.logging.log4j:log4j-core', componentVersion: `2.14.${n}`, ...over,
});

describe('dependency-track kind', () => {
  it('tests the connection: version from /api/version, the key checked on the project list', async () => {
    fake.setProjects([PROJECT, { key: dtUuid('p2'), name: 'billing@1.0' }]);
    expect(await dependencyTrackKind.testConnection(contextFor(fake))).toBe('Connected to Dependency-Track 4.14.3; the API key sees 2 projects');
    expect(requestsTo(fake, '/api/v1/project')[0]!.headers['x-api-key']).toBe(fake.token);
  });

  it('discovers every project over several pages (X-Total-Count) by UUID', async () => {
    const projects = [1, 2, 3, 4, 5].map((n) => ({ key: dtUuid(`p${n}`), name: `app-${n}@${n}.0.0` }));
    fake.setProjects(projects);
    fake.setPageSizeCap(2);
    const veps = await discoverAll(dependencyTrackKind, contextFor(fake));
    expect(veps.map((v) => [v.key, v.name])).toEqual(projects.map((p, i) => [p.key, `app-${i + 1} ${i + 1}.0.0`]));
    expect(veps[0]!.metadata).toEqual({ active: true, classifier: 'APPLICATION', lastBomImport: new Date(DT_EPOCH).toISOString() });
    expect(requestsTo(fake, '/api/v1/project').map((r) => new URL(r.url, fake.url).searchParams.get('pageNumber'))).toEqual(['1', '2', '3']);
  });

  it('fetches all findings, suppressed ones included, with every field mapped', async () => {
    const list = [
      finding(1, { severity: 'CRITICAL' }), finding(2, { severity: 'HIGH' }), finding(3, { severity: 'MEDIUM', cwe: undefined }),
      finding(4, { severity: 'LOW', componentName: 'left-pad', cve: 'GHSA-xxxx-yyyy-zzzz' }), finding(5, { severity: 'INFO' }),
    ];
    fake.setFindings(PROJECT.key, list);
    const pages = await fetchPages(dependencyTrackKind, contextFor(fake), VEP);
    expect(pages).toHaveLength(1);
    const all = pages[0]!;
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect(all[0]).toEqual({
      title: 'log4j-core:2.14.1 affected by: CVE-2024-1001 (NVD)', severity: 'CRITICAL',
      description: 'Vulnerability 1\n\nDetails of 1', mitigation: null,
      uniqueIdFromTool: dtMatrix(PROJECT.key, list[0]!), vulnIdFromTool: 'CVE-2024-1001',
      vulnerabilityIds: ['CVE-2024-1001', 'GHSA-f1-aaaa-bbbb'], cwe: 502, cwes: [502],
      componentName: 'org.apache.logging.log4j:log4j-core', componentVersion: '2.14.1', filePath: dtPurl(list[0]!),
      cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvssV4Score: null, cvssV4Vector: null,
      epssScore: 0.00043, epssPercentile: 0.07756,
      references: 'https://nvd.nist.gov/vuln/detail/CVE-2024-1001', fixVersion: null, fixAvailable: null, toolName: 'Dependency-Track',
      staticFinding: true, dynamicFinding: false, date: new Date(DT_EPOCH),
      falsePositive: false, riskAccepted: false, verified: false, dismissed: false, dismissedReason: null, mitigated: false, mitigatedAt: null,
    });
    expect(all[2]!.cwe).toBeNull();
    expect(all[3]).toMatchObject({ title: 'left-pad:2.14.4 affected by: GHSA-xxxx-yyyy-zzzz (GITHUB)', componentName: 'left-pad', vulnerabilityIds: ['GHSA-xxxx-yyyy-zzzz'], filePath: 'pkg:npm/left-pad@2.14.4' });
    expect(all[4]).toMatchObject({ cvssScore: null, cvssVector: null });
    expect(new URL(requestsTo(fake, '/api/v1/finding/project/')[0]!.url, fake.url).searchParams.get('suppressed')).toBe('true');
  });

  it('carries vendor-side false positive, accepted (suppressed) and resolved over', async () => {
    fake.setFindings(PROJECT.key, [finding(1, { state: 'false_positive' }), finding(2, { state: 'risk_accepted' }), finding(3, { state: 'fixed' }), finding(4)]);
    const all = (await fetchPages(dependencyTrackKind, contextFor(fake), VEP)).flat();
    expect(all.map((f) => [f.vulnIdFromTool, f.falsePositive, f.riskAccepted, f.verified, f.mitigated])).toEqual([
      ['CVE-2024-1001', true, false, false, false],
      ['CVE-2024-1002', false, true, true, false],
      ['CVE-2024-1003', false, false, false, true],
      ['CVE-2024-1004', false, false, false, false],
    ]);
  });

  it('maps UNASSIGNED severity from CVSS, NOT_AFFECTED to false positive, and v4 / v2 scores', () => {
    const base = { component: { name: 'x', version: '1' }, matrix: 'a:b:c' };
    const f = (vulnerability: object, analysis: object = {}) => normalizeFinding({ ...base, vulnerability: { vulnId: 'CVE-1', source: 'NVD', ...vulnerability }, analysis });
    expect(f({ severity: 'UNASSIGNED', cvssV3BaseScore: 9.1 }).severity).toBe('CRITICAL');
    expect(f({ severity: 'UNASSIGNED', cvssV4Score: 6.9, cvssV4Vector: 'CVSS:4.0/AV:N' })).toMatchObject({ severity: 'MEDIUM', cvssScore: null, cvssV4Score: 6.9, cvssV4Vector: 'CVSS:4.0/AV:N' });
    expect(f({ severity: 'UNASSIGNED', cvssV2BaseScore: 2.1 }).severity).toBe('LOW');
    expect(f({ severity: 'UNASSIGNED' }).severity).toBe('INFO');
    expect(f({ severity: 'HIGH' }, { state: 'NOT_AFFECTED', isSuppressed: true })).toMatchObject({ falsePositive: true, riskAccepted: false });
    expect(f({ severity: 'HIGH', recommendation: 'Upgrade' })).toMatchObject({ mitigation: 'Upgrade' });
  });

  // issue 12: findings shaped as DT's Finding model writes them (model/Finding.java: no patchedVersions there)
  it('#11 titles a finding of a component without a version by its name alone, never ":undefined"', () => {
    const f = normalizeFinding({ component: { uuid: 'c', name: 'openssl', purl: 'pkg:generic/openssl' }, vulnerability: { uuid: 'v', vulnId: 'CVE-2024-0727', source: 'NVD', severity: 'MEDIUM' }, matrix: 'p:c:v' });
    expect(f.title).toBe('openssl affected by: CVE-2024-0727 (NVD)');
    expect(f.componentVersion).toBeNull();
  });

  it('#12 leaves the fix version empty: the findings response carries none (a patchedVersions there is not DT\'s)', () => {
    const f = normalizeFinding({ component: { uuid: 'c', name: 'x', version: '1', latestVersion: '3.0.0' }, vulnerability: { uuid: 'v', vulnId: 'CVE-1', source: 'NVD', severity: 'HIGH', patchedVersions: '>=2.0.0' }, matrix: 'p:c:v' });
    expect(f).toMatchObject({ fixVersion: null, fixAvailable: null });
  });

  it('carries CVSS v3 and v4 apart, EPSS score and percentile, every CWE, the tool, and a suppression as the tool\'s dismissal', () => {
    const f = normalizeFinding({
      component: { uuid: 'c', name: 'urllib3', version: '1.26.5', purl: 'pkg:pypi/urllib3@1.26.5' },
      vulnerability: { uuid: 'v', vulnId: 'CVE-2023-43804', source: 'NVD', severity: 'HIGH',
        cvssV3BaseScore: 8.1, cvssV3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N',
        cvssV4Score: 7.7, cvssV4Vector: 'CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N',
        epssScore: 0.0021, epssPercentile: 0.592, cwes: [{ cweId: 200, name: 'Exposure' }, { cweId: 601, name: 'Open redirect' }],
        aliases: [{ cveId: 'CVE-2023-43804', ghsaId: 'GHSA-V845-JXX5-VC9F' }] },
      attribution: { analyzerIdentity: 'OSSINDEX_ANALYZER', attributedOn: 1706714385978 },
      analysis: { state: 'NOT_AFFECTED', isSuppressed: true }, matrix: 'p:c:v',
    });
    expect(f).toMatchObject({
      cvssScore: 8.1, cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', cvssV4Score: 7.7, epssScore: 0.0021, epssPercentile: 0.592,
      cwe: 200, cwes: [200, 601], toolName: 'Dependency-Track', falsePositive: true, dismissed: true, dismissedReason: 'NOT_AFFECTED',
    });
  });

  describe('failures', () => {
    it('a wrong API key fails with the cause named and the key nowhere', async () => {
      const secret = 'odt_wrongwrongwrongwrong';
      for (const work of [() => dependencyTrackKind.testConnection(contextFor(fake, { secret })), () => discoverAll(dependencyTrackKind, contextFor(fake, { secret })), () => fetchPages(dependencyTrackKind, contextFor(fake, { secret }), VEP)]) {
        const err = await connectorFailure(work());
        expect(err.message).toMatch(/^401 from Dependency-Track \(the token was rejected\): empty body/);
        expect(err.message).not.toContain(secret);
      }
    });

    it('waits out a 429 Retry-After, then succeeds', async () => {
      fake.failNext(1, { status: 429, retryAfter: 1, pathIncludes: '/api/v1/project' });
      const started = Date.now();
      expect(await discoverAll(dependencyTrackKind, contextFor(fake))).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(requestsTo(fake, '/api/v1/project')).toHaveLength(2);
    });

    it('retries a 500, then succeeds', async () => {
      fake.setFindings(PROJECT.key, [finding(1)]);
      fake.failNext(1, { status: 500, body: 'java.lang.NullPointerException', contentType: 'text/plain', pathIncludes: '/finding/' });
      expect((await fetchPages(dependencyTrackKind, contextFor(fake), VEP)).flat()).toHaveLength(1);
      expect(requestsTo(fake, '/api/v1/finding/')).toHaveLength(2);
    });

    it('the frontend\'s HTML instead of the API is a clear error', async () => {
      fake.failNext(1, { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><head><title>Dependency-Track</title></head></html>' });
      const err = await connectorFailure(discoverAll(dependencyTrackKind, contextFor(fake)));
      expect(err.message).toMatch(/^Dependency-Track answered HTTP 200 with text\/html, not JSON: an HTML page/);
    });

    it('a truncated finding list fails the fetch', async () => {
      fake.failNext(1, { status: 200, body: '[{"component":{"uuid":"4b5385f9', pathIncludes: '/finding/' });
      const err = await connectorFailure(fetchPages(dependencyTrackKind, contextFor(fake), VEP));
      expect(err.message).toMatch(/^Dependency-Track answered HTTP 200 with application\/json, not JSON/);
    });

    it('a project page without X-Total-Count cannot be known complete', async () => {
      fake.failNext(1, { status: 200, body: '[]', pathIncludes: '/api/v1/project' });
      const err = await connectorFailure(discoverAll(dependencyTrackKind, contextFor(fake)));
      expect(err.message).toBe('Dependency-Track answered without an X-Total-Count header, so the listing cannot be known complete');
    });

    it('looping pagination fails instead of ending', async () => {
      fake.setProjects([1, 2, 3].map((n) => ({ key: dtUuid(`p${n}`), name: `app-${n}` })));
      fake.setPageSizeCap(1);
      fake.setLoopingPagination(true);
      const err = await connectorFailure(discoverAll(dependencyTrackKind, contextFor(fake)));
      expect(err.message).toBe(`Dependency-Track listed project ${dtUuid('p1')} twice while paging: the pagination loops`);
    });

    it('an unknown project is the 404 with Dependency-Track\'s own text', async () => {
      const err = await connectorFailure(fetchPages(dependencyTrackKind, contextFor(fake), { key: dtUuid('gone'), name: 'gone' }));
      expect(err.message).toMatch(/^404 from Dependency-Track \(not found: check the URL\): The project could not be found\./);
    });
  });
});
