// The harbor kind against its fake (test/fakes/harbor.ts) and against a vulnerability report of our
// own shaped as Harbor's report format documents it (src/pkg/scan/vuln/report.go): what each item
// becomes, projects as Records, a robot account's auth failure, and the edges Harbor's API brings:
// `Link` headers written as paths with prev and next in one header, `X-Total-Count`, repository
// names with a slash encoded twice, and only the newest scanned artifact read.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harborKind } from '@tributary/server/connectors/harbor.ts';
import { normalizeHarborReport, REPORT_MIME } from '@tributary/server/connectors/harbor-report.ts';
import type { FakeTool } from '../fakes/fake.ts';
import { HARBOR_EPOCH, startHarborFake } from '../fakes/harbor.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, requestsTo } from '../support/kinds.ts';

const PROJECTS = [
  { key: '1', name: 'library' },
  { key: '4', name: 'payments' },
  { key: '6', name: 'mobile-backend' },
];
const VEP = { key: '4', name: 'payments' };
const ARTIFACT = { repository: 'payments/team/api', digest: 'sha256:4c1e', tags: ['1.4.2'], webUrl: 'https://harbor.example.com/harbor/projects/4/repositories/team%2Fapi/artifacts-tab/artifacts/sha256:4c1e' };
const never = (message: string): never => { throw new Error(message); };

/** the digest the fake gives a repository's newest scanned artifact */
const currentDigest = (projectKey: string, repo: string) => `sha256:${createHash('sha256').update(`${projectKey}/${repo}/current`).digest('hex')}`;

let fake: FakeTool;
beforeEach(async () => { fake = await startHarborFake(); fake.setProjects(PROJECTS); });
afterEach(async () => { await fake.close(); });

/** One item of a report as Harbor documents it (vuln.VulnerabilityItem). */
function item(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'CVE-2023-44487', package: 'golang.org/x/net', version: 'v0.7.0', fix_version: '0.17.0', severity: 'High',
    description: 'HTTP/2 rapid reset can cause excessive work', layer: null,
    links: ['https://avd.aquasec.com/nvd/cve-2023-44487', 'https://github.com/golang/go/issues/63417'],
    artifact_digests: ['sha256:4c1e'],
    preferred_cvss: { score_v3: 7.5, score_v2: null, vector_v3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', vector_v2: '' },
    cwe_ids: ['CWE-400'],
    vendor_attributes: { CVSS: { nvd: { V3Score: 7.5, V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' } } },
    ...over,
  };
}

function report(items: Array<Record<string, unknown>>, mime = REPORT_MIME): Record<string, unknown> {
  return { [mime]: { generated_at: '2024-04-02T08:10:00Z', artifact: { repository: 'payments/team/api', digest: 'sha256:4c1e', tag: '1.4.2' }, scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.50.1' }, severity: 'High', vulnerabilities: items } };
}

describe('harbor kind', () => {
  it('tests the connection as the robot account (Basic auth) and asks for the 1.1 report format', async () => {
    expect(await harborKind.testConnection(contextFor(fake))).toBe('Connected to Harbor; the robot account sees 3 projects');
    const [req] = fake.requests;
    expect(req!.url).toBe('/api/v2.0/projects?page=1&page_size=1&with_detail=false');
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from(`robot$tributary:${fake.token}`).toString('base64')}`);
    expect(req!.headers['x-accept-vulnerabilities']).toBe('application/vnd.security.vulnerability.report; version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0');
    // a URL pasted with the API suffix works too
    expect(await harborKind.testConnection(contextFor(fake, { url: `${fake.url}/api/v2.0/` }))).toBe('Connected to Harbor; the robot account sees 3 projects');
  });

  it('discovers projects by project_id over Link headers written as paths, prev and next in one header', async () => {
    fake.setPageSizeCap(1);
    const veps = await discoverAll(harborKind, contextFor(fake));
    expect(veps.map((v) => [v.key, v.name])).toEqual(PROJECTS.map((p) => [p.key, p.name]));
    expect(veps[1]!.metadata).toEqual({ public: false, repositories: 0, url: `${fake.url}/harbor/projects/4/repositories` });
    // page 2's Link header is `</…page=1…>; rel="prev" , </…page=3…>; rel="next"`: the kind goes forward only
    expect(fake.requests.map((r) => new URL(r.url, fake.url).searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(fake.requests[0]!.url).toBe('/api/v2.0/projects?page=1&page_size=100&with_detail=false&sort=project_id');
  });

  it('reads the newest scanned artifact of each repository, a/b encoded twice, and maps each vulnerability', async () => {
    fake.setFindings('4', [
      { id: 'h2', title: 'rapid reset', severity: 'HIGH', cve: 'CVE-2023-44487', cwe: 400, componentName: 'golang.org/x/net', componentVersion: 'v0.7.0', filePath: 'team/api', description: 'HTTP/2 rapid reset' },
      { id: 'ssl', title: 'openssl', severity: 'CRITICAL', cve: 'CVE-2022-3602', componentName: 'openssl', componentVersion: '3.0.6', filePath: 'team/api' },
      { id: 'zlib', title: 'zlib', severity: 'INFO', cve: 'CVE-2018-25032', componentName: 'zlib', componentVersion: '1.2.11', filePath: 'web', state: 'risk_accepted' },
    ]);
    fake.setFindings('1', [{ id: 'other', title: 'other', severity: 'LOW', filePath: 'web' }]);
    const pages = await fetchPages(harborKind, contextFor(fake), VEP);
    // one page per repository, sorted by name: payments/team/api, payments/web
    expect(pages.map((p) => p.map((f) => f.vulnIdFromTool))).toEqual([['CVE-2023-44487', 'CVE-2022-3602'], ['CVE-2018-25032']]);
    const [h2, ssl] = pages[0]!;
    const digest = currentDigest('4', 'team/api');
    expect(h2).toEqual({
      title: 'CVE-2023-44487 - golang.org/x/net (v0.7.0)', severity: 'HIGH', description: 'HTTP/2 rapid reset',
      mitigation: 'Upgrade golang.org/x/net to version 9.9.9', references: 'https://avd.aquasec.com/nvd/cve-2023-44487',
      uniqueIdFromTool: 'payments/team/api|CVE-2023-44487|golang.org/x/net|v0.7.0', vulnIdFromTool: 'CVE-2023-44487',
      vulnerabilityIds: ['CVE-2023-44487'], filePath: 'payments/team/api', componentName: 'golang.org/x/net', componentVersion: 'v0.7.0',
      fixVersion: '9.9.9', fixAvailable: true, cwes: [400], cwe: 400,
      cvssScore: 7.5, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      vendorUrl: `${fake.url}/harbor/projects/4/repositories/team%2Fapi/artifacts-tab/artifacts/${digest}`,
      toolName: 'Trivy', toolVersion: 'v0.50.1', staticFinding: true, dynamicFinding: false,
      date: new Date(HARBOR_EPOCH + 86_400_000 + 600_000),
    });
    expect(ssl).toMatchObject({ severity: 'CRITICAL', cvssScore: 9.8, cwes: [], cwe: null });
    // Negligible is DefectDojo's Info; an empty fix_version is no fix (and no mitigation text)
    expect(pages[1]![0]).toMatchObject({ severity: 'INFO', fixVersion: null, fixAvailable: null, mitigation: null, cvssScore: null, cvssVector: null, filePath: 'payments/web' });
    // the stale finding of the older scanned artifact never appears, nor the running scan's push
    expect(pages.flat().some((f) => f.vulnIdFromTool === 'CVE-2019-0001')).toBe(false);
    const additions = fake.requests.filter((r) => r.url.endsWith('/additions/vulnerabilities')).map((r) => r.url);
    expect(additions).toEqual([
      `/api/v2.0/projects/payments/repositories/team%252Fapi/artifacts/${encodeURIComponent(digest)}/additions/vulnerabilities`,
      `/api/v2.0/projects/payments/repositories/web/artifacts/${encodeURIComponent(currentDigest('4', 'web'))}/additions/vulnerabilities`,
    ]);
    expect(requestsTo(fake, '/api/v2.0/projects/payments/repositories/team%252Fapi/artifacts?')[0]!.url)
      .toBe('/api/v2.0/projects/payments/repositories/team%252Fapi/artifacts?page=1&page_size=100&with_scan_overview=true&with_tag=true&sort=-push_time');
  });

  it('a repository with no finished scan gives no findings, and a clean scan none either', async () => {
    fake.setFindings('4', []);
    expect(await fetchPages(harborKind, contextFor(fake), VEP)).toEqual([]);
    expect(normalizeHarborReport({}, ARTIFACT, never)).toEqual([]);
    expect(normalizeHarborReport(report([]), ARTIFACT, never)).toEqual([]);
  });

  it('a wrong robot secret fails with Harbor\'s error body, never the secret or the Basic credentials', async () => {
    const secret = 'Wrong0Secret0For0The0Robot0Acct';
    const err = await connectorFailure(discoverAll(harborKind, contextFor(fake, { secret })));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^401 from Harbor \(the token was rejected\): \{"errors":\[\{"code":"UNAUTHORIZED","message":"unauthorized"\}\]\} /);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain(Buffer.from(`robot$tributary:${secret}`).toString('base64'));
    const conn = await connectorFailure(harborKind.testConnection(contextFor(fake, { options: { username: 'robot$someone-else' } })));
    expect(conn.message).toMatch(/^401 from Harbor/);
  });

  it('refuses a list without X-Total-Count, one that falls short of it, and one whose total changes between pages', async () => {
    fake.failNext(1, { status: 200, body: '[]' });
    expect((await connectorFailure(discoverAll(harborKind, contextFor(fake)))).message).toBe('Harbor answered the projects list without X-Total-Count, so it cannot be known complete');

    const five = [1, 2, 3, 4, 5].map((n) => ({ key: String(n), name: `team-${n}` }));
    fake.setProjects(five);
    fake.setPageSizeCap(2);
    // project 1 deleted once page 1 is read: page 2 now starts at project 4, project 3 falls between
    // pages, and the items read (1, 2, 4, 5) equal the new total of 4
    const seen: string[] = [];
    const err = await connectorFailure((async () => {
      for await (const vep of harborKind.discover(contextFor(fake))) {
        if (!seen.length) fake.setProjects(five.slice(1));
        seen.push(vep.key);
      }
    })());
    expect(err.message).toBe('Harbor announced 5 projects, then 4 while they were read: the list changed; try again');
    expect(seen).not.toContain('3');
  });

  it('refuses a Link next on another host', async () => {
    fake.setPageSizeCap(1);
    fake.setNextLinkOrigin!('https://registry-mirror.example');
    const err = await connectorFailure(discoverAll(harborKind, contextFor(fake)));
    expect(err.message).toBe(`Harbor: the next-page link points at https://registry-mirror.example, not ${fake.url}; refusing to send the token there`);
    expect(fake.requests).toHaveLength(1);
  });

  it('requires the robot account name', () => {
    expect(harborKind.validateOptions!({}, 'https://harbor.example.com')).toBe('username: the robot account name is required');
    expect(harborKind.validateOptions!({ username: 'robot:x' }, 'https://harbor.example.com')).toBe('username: a Harbor account name cannot contain ":"');
    expect(harborKind.validateOptions!({ username: 'robot$tributary' }, 'https://harbor.example.com')).toBeNull();
  });
});

describe('harbor report: a documented vulnerability report, item by item', () => {
  it('maps Harbor\'s severity scale, Unknown and Negligible to Info', () => {
    const sev = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown', 'None', '', 'Severe'].map((severity, i) => item({ id: `CVE-2024-000${i}`, severity }));
    expect(normalizeHarborReport(report(sev), ARTIFACT, never).map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO', 'INFO', 'INFO', 'INFO', 'INFO']);
  });

  it('carries ids, CVSS, CWEs, references and the fix, and leaves out what Harbor does not send', () => {
    const [cve, ghsa, dla] = normalizeHarborReport(report([
      item(),
      item({ id: 'GHSA-qppj-fm5r-hxr3', package: 'golang.org/x/net', version: 'v0.7.0', fix_version: '0.17.0, 0.18.0', cwe_ids: ['CWE-400', 'CWE-770'], links: null }),
      item({ id: 'DLA-3530-1', package: 'libssl1.1', version: '1.1.1n-0+deb11u4', fix_version: '', preferred_cvss: null, cwe_ids: null, description: '' }),
    ]), ARTIFACT, never);
    expect(cve).toMatchObject({
      title: 'CVE-2023-44487 - golang.org/x/net (v0.7.0)', severity: 'HIGH', vulnIdFromTool: 'CVE-2023-44487', vulnerabilityIds: ['CVE-2023-44487'],
      cvssScore: 7.5, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwes: [400], cwe: 400, fixVersion: '0.17.0', fixAvailable: true,
      mitigation: 'Upgrade golang.org/x/net to version 0.17.0', references: 'https://avd.aquasec.com/nvd/cve-2023-44487\nhttps://github.com/golang/go/issues/63417',
      uniqueIdFromTool: 'payments/team/api|CVE-2023-44487|golang.org/x/net|v0.7.0', filePath: 'payments/team/api', vendorUrl: ARTIFACT.webUrl,
      toolName: 'Trivy', toolVersion: 'v0.50.1', date: new Date('2024-04-02T08:10:00Z'),
    });
    expect(ghsa).toMatchObject({ vulnerabilityIds: ['GHSA-qppj-fm5r-hxr3'], cwes: [400, 770], cwe: 400, fixVersion: '0.17.0, 0.18.0', references: null });
    // a distribution advisory is the tool's id, not a vulnerability id; no CVSS, no fix, no CWE
    expect(dla).toMatchObject({
      title: 'DLA-3530-1 - libssl1.1 (1.1.1n-0+deb11u4)', vulnIdFromTool: 'DLA-3530-1', vulnerabilityIds: [], cvssScore: null, cvssVector: null,
      cwes: [], cwe: null, fixVersion: null, fixAvailable: null, mitigation: null, description: 'DLA-3530-1 in libssl1.1 1.1.1n-0+deb11u4',
    });
    // Harbor has no triage of its own: no status flag is claimed, so reimport leaves the analyst's
    for (const f of [cve, ghsa, dla]) {
      for (const flag of ['falsePositive', 'riskAccepted', 'mitigated', 'dismissed', 'epssScore', 'knownExploited']) expect(f).not.toHaveProperty(flag);
    }
  });

  it('reads the scanner adapter\'s native format too, and refuses a report that is not one', () => {
    const native = normalizeHarborReport(report([item()], 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0'), ARTIFACT, never);
    expect(native.map((f) => f.title)).toEqual(['CVE-2023-44487 - golang.org/x/net (v0.7.0)']);
    expect(() => normalizeHarborReport([] as unknown as Record<string, unknown>, ARTIFACT, never)).toThrow('the vulnerabilities addition is not a JSON object');
    expect(() => normalizeHarborReport({ [REPORT_MIME]: { vulnerabilities: { id: 'CVE-1' } } }, ARTIFACT, never)).toThrow('the report\'s vulnerabilities is not a list');
  });
});
