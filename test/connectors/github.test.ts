import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubKind } from '@tributary/server/connectors/github.ts';
import { normalizeCodeScanningAlert, normalizeDependabotAlert } from '@tributary/server/connectors/github-alerts.ts';
import { startGithubFake, type GithubFake } from '../fakes/github.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages } from '../support/kinds.ts';

const REPO = { key: '1296269', name: 'hello-world' };
const vep = { key: REPO.key, name: REPO.name };

const codeFindings: FakeFinding[] = [
  { id: '1', title: 'Arbitrary file write during zip extraction', severity: 'CRITICAL', cwe: 22, filePath: 'src/unzip.ts', line: 917, description: 'This path depends on a user-provided value.' },
  { id: '2', title: 'Reflected XSS', severity: 'HIGH', cwe: 79, filePath: 'src/view.ts', line: 12 },
  { id: '3', title: 'Weak hash', severity: 'MEDIUM', filePath: 'src/hash.ts', line: 3 },
  { id: '4', title: 'Log injection', severity: 'LOW', filePath: 'src/log.ts', line: 8 },
  { id: '5', title: 'Unused variable', severity: 'INFO', filePath: 'src/x.ts', line: 1 },
];
const depFindings: FakeFinding[] = [
  { id: '1', title: 'Prototype pollution in lodash', severity: 'CRITICAL', componentName: 'lodash', componentVersion: '4.17.20', cve: 'CVE-2021-23337', cwe: 1321, filePath: 'web/package-lock.json', description: 'lodash before 4.17.21 …' },
  { id: '2', title: 'ReDoS in debug', severity: 'MEDIUM', componentName: 'debug', cve: 'CVE-2017-16137' },
  { id: '3', title: 'Info leak in tar', severity: 'LOW', componentName: 'tar' },
];

describe('github kind', () => {
  let fake: GithubFake;
  beforeEach(async () => {
    fake = await startGithubFake();
    fake.setProjects([REPO]);
  });
  afterEach(() => fake.close());

  it('sends the bearer token, the GitHub media type and the API version, and names the organization', async () => {
    expect(await githubKind.testConnection(contextFor(fake))).toBe('Connected to GitHub organization octo-org (Octo Org)');
    expect(fake.requests[0]!.url).toBe('/orgs/octo-org');
    expect(fake.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${fake.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
  });

  it('discovers every repository by id across Link-header pages', async () => {
    fake.setProjects([REPO, { key: '2', name: 'api' }, { key: '3', name: 'web' }, { key: '4', name: 'cli' }, { key: '5', name: 'docs' }]);
    fake.setPageSizeCap(2);
    const veps = await discoverAll(githubKind, contextFor(fake));
    expect(veps.map((v) => [v.key, v.name])).toEqual([['1296269', 'hello-world'], ['2', 'api'], ['3', 'web'], ['4', 'cli'], ['5', 'docs']]);
    expect(veps[0]!.metadata).toEqual({ fullName: 'octo-org/hello-world', webUrl: 'https://github.example/octo-org/hello-world', visibility: 'private', archived: false, defaultBranch: 'main', advancedSecurity: 'enabled' });
    // GitHub's own next links address the organization by id
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/orgs/octo-org/repos?type=all&per_page=100',
      '/organizations/9919/repos?type=all&per_page=2&page=2',
      '/organizations/9919/repos?type=all&per_page=2&page=3',
    ]);
  });

  it('maps code-scanning alerts page by page, with severity, CWE, location and a prefixed unique id', async () => {
    fake.setFindings(REPO.key, codeFindings);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(githubKind, contextFor(fake), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect(all.map((f) => f.cwe)).toEqual([22, 79, null, null, null]);
    expect(all[0]).toEqual({
      title: 'Arbitrary file write during zip extraction',
      severity: 'CRITICAL',
      description: 'This path depends on a user-provided value.',
      uniqueIdFromTool: '1296269/code-scanning/1',
      vulnIdFromTool: 'js/rule-1',
      filePath: 'src/unzip.ts',
      line: 917,
      endLine: 917,
      cwe: 22,
      cwes: [22],
      vulnerabilityIds: [],
      toolName: 'CodeQL',
      toolVersion: '2.16.2',
      codeClassification: null,
      dismissed: false,
      mitigation: null,
      vendorUrl: 'https://github.example/octo-org/hello-world/security/code-scanning/1',
      service: null,
      staticFinding: true,
      dynamicFinding: false,
      date: new Date('2024-03-01T10:00:00Z'),
      falsePositive: false,
      riskAccepted: false,
      outOfScope: false,
      mitigated: false,
      mitigatedAt: null,
    });
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/repositories/1296269/code-scanning/alerts?per_page=100',
      '/repositories/1296269/code-scanning/alerts?per_page=2&page=2',
      '/repositories/1296269/code-scanning/alerts?per_page=2&page=3',
      '/repositories/1296269/dependabot/alerts?state=auto_dismissed%2Cdismissed%2Cfixed%2Copen&per_page=100',
    ]);
  });

  it('maps Dependabot alerts over cursor pages, and their numbers do not collide with code scanning', async () => {
    fake.setFindings(REPO.key, [codeFindings[0]!, ...depFindings]);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(githubKind, contextFor(fake), vep);
    expect(pages.map((p) => p.length)).toEqual([1, 2, 1]);
    const deps = pages.slice(1).flat();
    expect(deps.map((f) => f.uniqueIdFromTool)).toEqual(['1296269/dependabot/1', '1296269/dependabot/2', '1296269/dependabot/3']);
    expect(pages[0]![0]!.uniqueIdFromTool).toBe('1296269/code-scanning/1');
    expect(deps.map((f) => f.severity)).toEqual(['CRITICAL', 'MEDIUM', 'LOW']);
    const lodash = deps[0]!;
    expect(lodash).toMatchObject({
      title: 'Prototype pollution in lodash',
      description: 'lodash before 4.17.21 …\n\nVulnerable versions: <= 4.17.20',
      filePath: 'web/package-lock.json',
      line: null,
      cwe: 1321,
      componentName: 'lodash',
      componentVersion: null,
      fixAvailable: true,
      fixVersion: '99.0.0',
      cvssScore: 7.5,
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      epssScore: 0.00045,
      vendorUrl: 'https://github.example/octo-org/hello-world/security/dependabot/1',
      date: new Date('2024-03-01T11:00:00Z'),
      mitigated: false,
    });
    expect(lodash.vulnerabilityIds).toEqual(['CVE-2021-23337', lodash.vulnIdFromTool]);
    expect(lodash.vulnIdFromTool).toMatch(/^GHSA-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    const urls = fake.requests.map((r) => r.url).filter((u) => u.includes('dependabot'));
    expect(urls).toHaveLength(2);
    expect(urls[1]).toMatch(/^\/repositories\/1296269\/dependabot\/alerts\?state=auto_dismissed%2Cdismissed%2Cfixed%2Copen&per_page=2&after=[\w-]+$/);
  });

  it('carries dismissals and fixes over for both alert types', async () => {
    fake.setFindings(REPO.key, [
      { id: '1', title: 'a', severity: 'HIGH', state: 'false_positive' },
      { id: '2', title: 'b', severity: 'HIGH', state: 'risk_accepted' },
      { id: '3', title: 'c', severity: 'HIGH', state: 'fixed' },
      { id: '4', title: 'd', severity: 'HIGH', state: 'open' },
      { id: '1', title: 'e', severity: 'HIGH', componentName: 'x', state: 'false_positive' },
      { id: '2', title: 'f', severity: 'HIGH', componentName: 'y', state: 'risk_accepted' },
      { id: '3', title: 'g', severity: 'HIGH', componentName: 'z', state: 'fixed' },
    ]);
    const all = (await fetchPages(githubKind, contextFor(fake), vep)).flat();
    expect(all.map((f) => [f.title, f.falsePositive, f.riskAccepted, f.mitigated, f.mitigatedAt?.toISOString() ?? null])).toEqual([
      ['a', true, false, false, null],
      ['b', false, true, false, null],
      ['c', false, false, true, '2024-03-05T08:00:00.000Z'],
      ['d', false, false, false, null],
      ['e', true, false, false, null],
      ['f', false, true, false, null],
      ['g', false, false, true, '2024-03-05T08:00:00.000Z'],
    ]);
    expect(all[0]!.description).toBe('Dismissal comment: triaged by the team');
  });

  it('treats "no analysis found" and disabled features as zero alerts of that type', async () => {
    fake.setFindings(REPO.key, [codeFindings[0]!, depFindings[0]!]);
    fake.setCodeScanning(REPO.key, 'no-analysis');
    expect((await fetchPages(githubKind, contextFor(fake), vep)).flat().map((f) => f.uniqueIdFromTool)).toEqual(['1296269/dependabot/1']);
    fake.setCodeScanning(REPO.key, 'disabled');
    fake.setDependabotEnabled(REPO.key, false);
    expect(await fetchPages(githubKind, contextFor(fake), vep)).toEqual([]);
  });

  it('fails on a 403 that is a missing permission, naming what the token needs', async () => {
    fake.failNext(1, { status: 403, body: JSON.stringify({ message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest', status: '403' }), pathIncludes: 'code-scanning' });
    const err = await connectorFailure(fetchPages(githubKind, contextFor(fake), vep));
    expect(err.message).toBe('403 from GitHub (the token lacks a permission: it needs "Code scanning alerts: read" and "Dependabot alerts: read", or the security_events scope): Resource not accessible by personal access token (/repositories/1296269/code-scanning/alerts)');
  });

  it('reports an exhausted rate limit with its reset time, even where 403 would mean "disabled"', async () => {
    fake.setRateLimitExhausted(true);
    const err = await connectorFailure(fetchPages(githubKind, contextFor(fake), vep));
    expect(err.message).toBe('GitHub rate limit exhausted; it resets at 2026-01-01T00:00:00.000Z');
    expect(err.status).toBe(403);
  });

  it('#9 reads an archived repository\'s Dependabot 403 as no alerts, keeps its code-scanning alerts, and shows it archived in discover', async () => {
    fake.setFindings(REPO.key, [...codeFindings, ...depFindings]);
    fake.setArchived(REPO.key, true);
    const found = (await fetchPages(githubKind, contextFor(fake), vep)).flat();
    expect(found.map((f) => f.uniqueIdFromTool)).toEqual(codeFindings.map((f) => `${REPO.key}/code-scanning/${f.id}`));
    const [repo] = await discoverAll(githubKind, contextFor(fake));
    expect(repo!.metadata).toMatchObject({ archived: true });
  });

  it('#10 waits out a secondary rate limit (403 with Retry-After) and completes, instead of failing as a permission error', async () => {
    fake.setFindings(REPO.key, [...codeFindings, ...depFindings]);
    fake.secondaryRateLimitNext(2, 1);
    const started = Date.now();
    const found = (await fetchPages(githubKind, contextFor(fake), vep)).flat();
    expect(found).toHaveLength(codeFindings.length + depFindings.length);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('fails on a 404 for a repository that is gone, instead of reporting it empty', async () => {
    const err = await connectorFailure(fetchPages(githubKind, contextFor(fake), { key: '777', name: 'gone' }));
    expect(err.message).toBe('404 from GitHub (not found: check the organization, the URL and that the token can see it): Not Found (/repositories/777/code-scanning/alerts)');
  });

  it('rejects a wrong token with GitHub\'s message and never echoes the token', async () => {
    const secret = 'ghp_wrongTokenValue000000000000000000000';
    const err = await connectorFailure(githubKind.testConnection(contextFor(fake, { secret })));
    expect(err.status).toBe(401);
    expect(err.message).toContain('401 from GitHub (the token was rejected)');
    expect(err.message).toContain('Bad credentials');
    expect(err.message).not.toContain(secret);
  });

  it('retries a 429 with Retry-After and a 500, then completes', async () => {
    fake.setProjects([REPO, { key: '2', name: 'api' }]);
    fake.setPageSizeCap(1);
    fake.failNext(1, { status: 429, retryAfter: 0, body: JSON.stringify({ message: 'You have exceeded a secondary rate limit.' }), pathIncludes: 'page=2' });
    fake.failNext(1, { status: 500, body: '{"message":"Server Error"}' });
    const veps = await discoverAll(githubKind, contextFor(fake));
    expect(veps.map((v) => v.key)).toEqual(['1296269', '2']);
    expect(fake.requests).toHaveLength(4);
  });

  it('fails clearly on HTML, on truncated JSON and on a failure of a later page', async () => {
    fake.failNext(1, { status: 200, contentType: 'text/html', body: '<html><body>Sign in</body></html>' });
    const html = await connectorFailure(discoverAll(githubKind, contextFor(fake)));
    expect(html.message).toMatch(/^GitHub answered HTTP 200 with text\/html, not JSON: an HTML page \(http:\/\/127\.0\.0\.1:\d+\/orgs\/octo-org\/repos\?type=all&per_page=100\)$/);

    fake.failNext(1, { status: 200, body: '[{"id": 1296269, "name": "hel' });
    expect((await connectorFailure(discoverAll(githubKind, contextFor(fake)))).message).toContain('not JSON');

    fake.setFindings(REPO.key, codeFindings);
    fake.setPageSizeCap(2);
    fake.failNext(1, { status: 502, body: 'bad gateway', pathIncludes: 'page=3' });
    fake.failNext(9, { status: 404, body: '{"message":"Not Found"}', pathIncludes: 'page=3' });
    const later = await connectorFailure(fetchPages(githubKind, contextFor(fake), vep));
    expect(later.message).toBe('404 from GitHub (not found: check the organization, the URL and that the token can see it): Not Found (/repositories/1296269/code-scanning/alerts)');
  });

  it('fails on looping pagination, page-based and cursor-based', async () => {
    fake.setProjects([REPO, { key: '2', name: 'api' }, { key: '3', name: 'web' }]);
    fake.setFindings(REPO.key, depFindings);
    fake.setPageSizeCap(1);
    fake.setLoopingPagination(true);
    expect((await connectorFailure(discoverAll(githubKind, contextFor(fake)))).message).toMatch(/^GitHub: pagination loops back to a page already read/);
    expect((await connectorFailure(fetchPages(githubKind, contextFor(fake), vep))).message).toMatch(/^GitHub: pagination loops back to a page already read \(http:\/\/127\.0\.0\.1:\d+\/repositories\/1296269\/dependabot\/alerts/);
  });

  it('checks the organization and the API host', () => {
    expect(githubKind.validateOptions!({}, 'https://api.github.com')).toBe('organization: the GitHub organization login is required');
    expect(githubKind.validateOptions!({ organization: 'bad org!' }, 'https://api.github.com')).toBe('organization: "bad org!" is not a GitHub login');
    expect(githubKind.validateOptions!({ organization: 'octo-org' }, 'https://github.com')).toBe('url: use https://api.github.com (the API host), not https://github.com');
    expect(githubKind.validateOptions!({ organization: 'octo-org' }, 'https://ghe.example.com/api/v3')).toBeNull();
  });
});

describe('github kind against GitHub Enterprise Server', () => {
  it('keeps the /api/v3 prefix on every call, first pages and next links alike', async () => {
    const fake = await startGithubFake({ basePath: '/api/v3' });
    try {
      fake.setProjects([REPO, { key: '2', name: 'api' }]);
      fake.setFindings(REPO.key, codeFindings.slice(0, 3));
      fake.setPageSizeCap(2);
      const ctx = contextFor(fake);
      expect(ctx.config.url).toMatch(/\/api\/v3$/);
      expect((await discoverAll(githubKind, ctx)).map((v) => v.key)).toEqual(['1296269', '2']);
      expect((await fetchPages(githubKind, ctx, vep)).flat()).toHaveLength(3);
      expect(fake.requests.every((r) => r.url.startsWith('/api/v3/'))).toBe(true);
      expect(fake.requests).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });
});

// the fields analysts asked for (issue 12), from alerts shaped as GitHub's REST reference documents them
describe('github alerts: analyst fields', () => {
  it('code scanning: every CWE, end line, tool, a test classification as out of scope, and who dismissed it, when and why', () => {
    const f = normalizeCodeScanningAlert('42', {
      number: 7, state: 'dismissed', created_at: '2025-03-01T00:00:00Z', html_url: 'https://github.com/o/r/security/code-scanning/7',
      dismissed_by: { login: 'octocat' }, dismissed_at: '2025-03-02T09:00:00Z', dismissed_reason: 'won\'t fix', dismissed_comment: 'Behind the VPN only.',
      rule: { id: 'js/path-injection', severity: 'error', security_severity_level: 'high', description: 'Uncontrolled data in path',
        tags: ['security', 'external/cwe/cwe-022', 'external/cwe/cwe-023', 'external/cwe/cwe-036'] },
      tool: { name: 'CodeQL', version: '2.19.3' },
      most_recent_instance: { message: { text: 'This path depends on a user-provided value.' }, classifications: ['test'],
        location: { path: 'test/fixtures/server.js', start_line: 10, end_line: 12 } },
    });
    expect(f).toMatchObject({
      cwe: 22, cwes: [22, 23, 36], line: 10, endLine: 12, toolName: 'CodeQL', toolVersion: '2.19.3', codeClassification: 'test', outOfScope: true,
      riskAccepted: true, dismissed: true, dismissedBy: 'octocat', dismissedAt: new Date('2025-03-02T09:00:00Z'),
      dismissedReason: 'won\'t fix: Behind the VPN only.', vendorUrl: 'https://github.com/o/r/security/code-scanning/7',
    });
  });

  it('Dependabot: CVSS v3 and v4 apart, EPSS score and percentile, every CWE, the fix version', () => {
    const f = normalizeDependabotAlert('42', {
      number: 3, state: 'open', created_at: '2025-03-01T00:00:00Z', html_url: 'https://github.com/o/r/security/dependabot/3',
      dependency: { package: { ecosystem: 'npm', name: 'axios' }, manifest_path: 'package-lock.json' },
      security_advisory: { ghsa_id: 'GHSA-wf5p-g6vw-rhxx', cve_id: 'CVE-2023-45857', summary: 'CSRF token leak', severity: 'medium',
        cvss_severities: { cvss_v3: { vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N', score: 6.5 },
          cvss_v4: { vector_string: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', score: 7.1 } },
        epss: { percentage: 0.00091, percentile: '0.38211e0' }, cwes: [{ cwe_id: 'CWE-352' }, { cwe_id: 'CWE-200' }] },
      security_vulnerability: { package: { name: 'axios' }, severity: 'medium', first_patched_version: { identifier: '1.6.0' } },
    });
    expect(f).toMatchObject({
      cvssScore: 6.5, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N', cvssV4Score: 7.1,
      cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', epssScore: 0.00091, epssPercentile: 0.38211,
      cwe: 352, cwes: [352, 200], fixVersion: '1.6.0', toolName: 'Dependabot', dismissed: false,
    });
  });
});
