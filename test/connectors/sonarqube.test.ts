import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sonarqubeKind } from '@tributary/server/connectors/sonarqube.ts';
import { issueSeverity, normalizeIssue as normalizeSonarIssue } from '@tributary/server/connectors/sonarqube-findings.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { SONAR_EPOCH, startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, requestsTo } from '../support/kinds.ts';

const PROJECT = { key: 'org.example:shop', name: 'Shop' };
const VEP = { key: PROJECT.key, name: PROJECT.name };
const ruleText = (cwe: number) =>
  `Security rule S${cwe}\n\nUntrusted data reaches a sensitive sink & is used unchecked.\n\nResources\nMITRE, CWE-${cwe} - weakness ${cwe}`;

let fake: SonarqubeFake;
beforeEach(async () => { fake = await startSonarqubeFake(); fake.setProjects([PROJECT]); });
afterEach(async () => { await fake.close(); });

const issue = (n: number, over: Partial<FakeFinding> = {}): FakeFinding => ({
  id: `AY-issue-${n}`, title: `Issue ${n}`, severity: 'MEDIUM', filePath: `src/main/java/App${n}.java`, line: n * 10, cwe: 89, ...over,
});

describe('sonarqube kind', () => {
  it('tests the connection with one authenticated call and names version and user', async () => {
    expect(await sonarqubeKind.testConnection(contextFor(fake))).toBe('Connected to SonarQube 10.6.0.92116 as tributary-bot');
    const [current] = requestsTo(fake, '/api/users/current');
    expect(current!.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.token}:`).toString('base64')}`);
  });

  it('discovers every project over several pages by project key', async () => {
    fake.setProjects([1, 2, 3, 4, 5].map((n) => ({ key: `org.example:app-${n}`, name: `App ${n}` })));
    fake.setPageSizeCap(2);
    const veps = await discoverAll(sonarqubeKind, contextFor(fake));
    expect(veps).toEqual([1, 2, 3, 4, 5].map((n) => ({ key: `org.example:app-${n}`, name: `App ${n}` })));
    expect(requestsTo(fake, '/api/components/search').map((r) => new URL(r.url, fake.url).searchParams.get('p'))).toEqual(['1', '2', '3']);
  });

  it('fetches issues and hotspots over several pages with every field mapped', async () => {
    fake.setFindings(PROJECT.key, [
      issue(1, { severity: 'CRITICAL' }), issue(2, { severity: 'HIGH', cwe: 79 }), issue(3, { severity: 'MEDIUM' }),
      issue(4, { severity: 'LOW', filePath: undefined, line: undefined }), issue(5, { severity: 'INFO', cwe: undefined }),
    ]);
    fake.setHotspots(PROJECT.key, [{ id: 'AY-hot-1', title: 'Make sure this weak hash is safe', severity: 'HIGH', filePath: 'src/Hash.java', line: 7, cwe: 328 }]);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(sonarqubeKind, contextFor(fake), VEP);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO', 'HIGH']);
    expect(all[0]).toEqual({
      title: 'Issue 1', severity: 'CRITICAL', description: ruleText(89),
      uniqueIdFromTool: 'AY-issue-1', vulnIdFromTool: 'fakesec:S89',
      filePath: 'src/main/java/App1.java', line: 10, endLine: 10, cwe: 89, cwes: [89], vulnerabilityIds: [], toolName: 'SonarQube',
      staticFinding: true, dynamicFinding: false, date: new Date(SONAR_EPOCH),
      vendorUrl: `${fake.url}/project/issues?id=org.example%3Ashop&open=AY-issue-1`,
      falsePositive: false, riskAccepted: false, verified: false, dismissed: false, mitigated: false, mitigatedAt: null,
    });
    expect(all[3]).toMatchObject({ filePath: null, line: null, cwe: 89 });
    expect(all[4]).toMatchObject({ cwe: null, description: 'Security rule S0\n\nUntrusted data reaches a sensitive sink & is used unchecked.\n\nResources\nOWASP Top 10 2021 Category A04 - Insecure Design' });
    expect(all[5]).toEqual({
      title: 'Make sure this weak hash is safe', severity: 'HIGH', description: ruleText(328),
      uniqueIdFromTool: 'hotspot:AY-hot-1', vulnIdFromTool: 'fakesec:S328',
      filePath: 'src/Hash.java', line: 7, endLine: 7, cwe: 328, cwes: [328], vulnerabilityIds: [], toolName: 'SonarQube',
      staticFinding: true, dynamicFinding: false, date: new Date(SONAR_EPOCH),
      vendorUrl: `${fake.url}/security_hotspots?id=org.example%3Ashop&hotspots=AY-hot-1`,
      falsePositive: false, riskAccepted: false, verified: false, dismissed: false, mitigated: false, mitigatedAt: null,
    });
    // one rules/show per distinct rule, not per issue
    expect(requestsTo(fake, '/api/rules/show').map((r) => new URL(r.url, fake.url).searchParams.get('key'))).toEqual(['fakesec:S89', 'fakesec:S79', 'fakesec:S0', 'fakesec:S328']);
    const search = new URL(requestsTo(fake, '/api/issues/search')[0]!.url, fake.url).searchParams;
    expect(Object.fromEntries(search)).toEqual({ componentKeys: PROJECT.key, types: 'VULNERABILITY', s: 'CREATION_DATE', asc: 'true', ps: '500', p: '1' });
  });

  it('carries vendor-side false positive, won\'t fix, fixed and reviewed hotspots over', async () => {
    fake.setFindings(PROJECT.key, [issue(1, { state: 'false_positive' }), issue(2, { state: 'risk_accepted' }), issue(3, { state: 'fixed' }), issue(4)]);
    fake.setHotspots(PROJECT.key, [
      { id: 'h-safe', title: 'safe', severity: 'MEDIUM', state: 'false_positive' },
      { id: 'h-exception', title: 'exception', severity: 'LOW', state: 'risk_accepted' },
      { id: 'h-fixed', title: 'fixed', severity: 'HIGH', state: 'fixed' },
    ]);
    const all = (await fetchPages(sonarqubeKind, contextFor(fake), VEP)).flat();
    const flags = all.map((f) => [f.uniqueIdFromTool, f.falsePositive, f.riskAccepted, f.mitigated, f.mitigatedAt?.toISOString() ?? null]);
    expect(flags).toEqual([
      ['AY-issue-1', true, false, false, null],
      ['AY-issue-2', false, true, false, null],
      ['AY-issue-3', false, false, true, new Date(SONAR_EPOCH + 2 * 60_000 + 86_400_000).toISOString()],
      ['AY-issue-4', false, false, false, null],
      ['hotspot:h-safe', true, false, false, null],
      ['hotspot:h-exception', false, true, false, null],
      ['hotspot:h-fixed', false, false, true, new Date(SONAR_EPOCH + 2 * 60_000 + 3_600_000).toISOString()],
    ]);
  });

  it('reads past the 10,000-result window by splitting on severity, then on creation date', async () => {
    const many = Array.from({ length: 10_500 }, (_, i) => issue(i, { severity: 'MEDIUM' }));
    const few = Array.from({ length: 30 }, (_, i) => issue(20_000 + i, { severity: 'CRITICAL' }));
    fake.setFindings(PROJECT.key, [...many, ...few]);
    const all = (await fetchPages(sonarqubeKind, contextFor(fake), VEP)).flat();
    expect(all).toHaveLength(10_530);
    expect(new Set(all.map((f) => f.uniqueIdFromTool)).size).toBe(10_530);
    const queries = requestsTo(fake, '/api/issues/search').map((r) => new URL(r.url, fake.url).searchParams);
    expect(queries.some((q) => q.get('severities') === 'MAJOR' && q.has('createdAfter') && q.has('createdBefore'))).toBe(true);
    // never asked for a result past the window
    expect(Math.max(...queries.map((q) => Number(q.get('p')) * Number(q.get('ps'))))).toBeLessThanOrEqual(10_000);
  });

  it('passes the SonarCloud organization on searches and requires it for sonarcloud.io', async () => {
    fake.setFindings(PROJECT.key, [issue(1)]);
    await discoverAll(sonarqubeKind, contextFor(fake, { options: { organization: 'acme' } }));
    await fetchPages(sonarqubeKind, contextFor(fake, { options: { organization: 'acme' } }), VEP);
    const searches = fake.requests.filter((r) => /search|rules/.test(r.url));
    expect(searches.length).toBe(4);
    expect(searches.every((r) => new URL(r.url, fake.url).searchParams.get('organization') === 'acme')).toBe(true);
    expect(sonarqubeKind.validateOptions!({}, 'https://sonarcloud.io')).toBe('organization is required for SonarCloud');
    expect(sonarqubeKind.validateOptions!({ organization: 'acme' }, 'https://sonarcloud.io')).toBeNull();
    expect(sonarqubeKind.validateOptions!({}, 'https://sonar.example.com')).toBeNull();
  });

  it('maps 10.x impacts when the legacy severity is absent', () => {
    expect(issueSeverity({ impacts: [{ softwareQuality: 'MAINTAINABILITY', severity: 'HIGH' }, { softwareQuality: 'SECURITY', severity: 'LOW' }] })).toBe('LOW');
    expect(issueSeverity({ impacts: [{ softwareQuality: 'SECURITY', severity: 'BLOCKER' }] })).toBe('CRITICAL');
    expect(issueSeverity({ impacts: [{ softwareQuality: 'RELIABILITY', severity: 'MEDIUM' }] })).toBe('MEDIUM');
    expect(issueSeverity({})).toBe('INFO');
  });

  describe('failures', () => {
    it('a wrong token fails with the cause named and the token nowhere', async () => {
      const secret = 'squ_wrongwrongwrongwrong';
      for (const work of [() => sonarqubeKind.testConnection(contextFor(fake, { secret })), () => discoverAll(sonarqubeKind, contextFor(fake, { secret })), () => fetchPages(sonarqubeKind, contextFor(fake, { secret }), VEP)]) {
        const err = await connectorFailure(work());
        expect(err.message).toMatch(/^401 from SonarQube \(the token was rejected\)/);
        expect(err.status).toBe(401);
        expect(err.message).not.toContain(secret);
        expect(err.message).not.toContain(Buffer.from(`${secret}:`).toString('base64'));
      }
    });

    it('an anonymous answer to users/current (a proxy dropped the header) is a rejected token', async () => {
      fake.failNext(1, { status: 200, body: '{"isLoggedIn":false,"permissions":{"global":[]}}', pathIncludes: '/api/users/current' });
      const err = await connectorFailure(sonarqubeKind.testConnection(contextFor(fake)));
      expect(err.message).toBe('SonarQube treated the request as anonymous: the token was not accepted; create a user token under My Account → Security');
    });

    it('waits out a 429 Retry-After, then succeeds', async () => {
      fake.failNext(1, { status: 429, retryAfter: 1, pathIncludes: '/api/components/search' });
      const started = Date.now();
      expect(await discoverAll(sonarqubeKind, contextFor(fake))).toEqual([VEP]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(requestsTo(fake, '/api/components/search')).toHaveLength(2);
    });

    it('retries a 500 and a 503 (issue index rebuilding), then succeeds', async () => {
      fake.setFindings(PROJECT.key, [issue(1)]);
      fake.failNext(1, { status: 500, pathIncludes: '/api/issues/search' });
      fake.failNext(1, { status: 503, body: '{"errors":[{"msg":"Issues index is being rebuilt"}]}', pathIncludes: '/api/issues/search' });
      expect((await fetchPages(sonarqubeKind, contextFor(fake), VEP)).flat().map((f) => f.uniqueIdFromTool)).toEqual(['AY-issue-1']);
      expect(requestsTo(fake, '/api/issues/search')).toHaveLength(3);
    });

    it('an HTML page instead of JSON is a clear error', async () => {
      fake.failNext(1, { status: 200, contentType: 'text/html', body: '<!doctype html><html><body>Log in</body></html>' });
      const err = await connectorFailure(discoverAll(sonarqubeKind, contextFor(fake)));
      expect(err.message).toMatch(/^SonarQube answered HTTP 200 with text\/html, not JSON: an HTML page/);
    });

    it('a truncated JSON page fails the whole fetch', async () => {
      fake.setFindings(PROJECT.key, [issue(1), issue(2), issue(3)]);
      fake.setPageSizeCap(2);
      fake.failNext(1, { status: 200, body: '{"paging":{"pageIndex":2,"pageSize":2,"total":3},"issues":[{"key":"AY-iss', pathIncludes: 'p=2' });
      const err = await connectorFailure(fetchPages(sonarqubeKind, contextFor(fake), VEP));
      expect(err.message).toMatch(/^SonarQube answered HTTP 200 with application\/json, not JSON/);
    });

    it('looping pagination fails instead of ending', async () => {
      fake.setProjects([1, 2, 3].map((n) => ({ key: `org.example:app-${n}`, name: `App ${n}` })));
      fake.setPageSizeCap(1);
      fake.setLoopingPagination(true);
      const err = await connectorFailure(discoverAll(sonarqubeKind, contextFor(fake)));
      expect(err.message).toBe('SonarQube returned org.example:app-1 twice while paging api/components/search: the pagination loops or the index changed during the read');
    });

    it('a page answered for the wrong page number is a loop', async () => {
      fake.setProjects([1, 2, 3].map((n) => ({ key: `org.example:app-${n}`, name: `App ${n}` })));
      fake.setPageSizeCap(1);
      fake.failNext(1, { status: 200, body: JSON.stringify({ paging: { pageIndex: 1, pageSize: 1, total: 3 }, components: [{ key: 'org.example:app-9' }] }), pathIncludes: 'p=2' });
      const err = await connectorFailure(discoverAll(sonarqubeKind, contextFor(fake)));
      expect(err.message).toBe('SonarQube answered page 1 of api/components/search when page 2 was asked: the pagination loops');
    });

    it('an unknown project is the 404 with SonarQube\'s own message', async () => {
      const err = await connectorFailure(fetchPages(sonarqubeKind, contextFor(fake), { key: 'gone', name: 'gone' }));
      expect(err.message).toMatch(/^404 from SonarQube \(not found: check the URL\): \{"errors":\[\{"msg":"Component key 'gone' not found"\}\]\}/);
    });
  });
});

// the fields analysts asked for (issue 12), on an issue shaped as SonarQube's api/issues/search answers it
describe('sonarqube issues: analyst fields', () => {
  it('carries every CWE of the rule, the end line, the tool and a resolution as the tool\'s dismissal', () => {
    const ctx = { config: { url: 'https://sonar.example', secret: null, options: {} } } as Parameters<typeof normalizeSonarIssue>[0];
    const f = normalizeSonarIssue(ctx, 'shop', {
      key: 'AZ-1', rule: 'java:S2076', component: 'shop:src/Run.java', message: 'Make sure this command is safe', severity: 'CRITICAL',
      resolution: 'WONTFIX', status: 'RESOLVED', textRange: { startLine: 12, endLine: 15, startOffset: 4, endOffset: 9 }, creationDate: '2025-01-02T03:04:05+0000',
    }, new Map([['shop:src/Run.java', 'src/Run.java']]), { name: 'OS commands should not be vulnerable', description: '…', cwe: 78, cwes: [78, 88] });
    expect(f).toMatchObject({ line: 12, endLine: 15, cwe: 78, cwes: [78, 88], toolName: 'SonarQube', riskAccepted: true, dismissed: true, dismissedReason: 'WONTFIX' });
  });
});
