// The directory kind reads CycloneDX, Trivy and Grype JSON besides SARIF, told apart by content.
// The reports below are our own, shaped as the tools write them (Trivy 0.50 SchemaVersion 2, Grype
// 0.7x `-o json`, CycloneDX 1.5 with a VEX `analysis`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sarifDirectoryKind } from '@tributary/server/connectors/sarif-directory.ts';
import { detectReportFormat } from '@tributary/server/connectors/report-format.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { connectorFailure, contextFor, fetchPages } from '../support/kinds.ts';

const TRIVY = {
  SchemaVersion: 2,
  CreatedAt: '2024-05-02T10:11:12.345678+02:00',
  ArtifactName: 'registry.example.com/shop/api:1.4.2',
  ArtifactType: 'container_image',
  Metadata: { OS: { Family: 'debian', Name: '12.5' }, ImageID: 'sha256:4f1c' },
  Trivy: { Version: '0.50.1' },
  Results: [
    {
      Target: 'registry.example.com/shop/api:1.4.2 (debian 12.5)', Class: 'os-pkgs', Type: 'debian',
      Vulnerabilities: [{
        VulnerabilityID: 'CVE-2024-2511', PkgID: 'libssl3@3.0.11-1~deb12u2', PkgName: 'libssl3', InstalledVersion: '3.0.11-1~deb12u2', FixedVersion: '3.0.13-1~deb12u1',
        Status: 'fixed', SeveritySource: 'nvd', PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2024-2511', Title: 'openssl: Unbounded memory growth with session handling in TLSv1.3',
        Description: 'Issue summary: Some non-default TLS server configurations can cause unbounded memory growth.', Severity: 'MEDIUM', CweIDs: ['CWE-1325'],
        CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', V3Score: 5.9 }, redhat: { V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', V3Score: 5.9 } },
        References: ['https://www.openssl.org/news/secadv/20240408.txt'], PublishedDate: '2024-04-08T14:15:07.66Z',
      }, {
        VulnerabilityID: 'CVE-2023-45853', PkgID: 'zlib1g@1:1.2.13.dfsg-1', PkgName: 'zlib1g', InstalledVersion: '1:1.2.13.dfsg-1', Status: 'will_not_fix',
        Severity: 'CRITICAL', Title: 'zlib: integer overflow in MiniZip', CweIDs: ['CWE-190'], CVSS: { nvd: { V3Score: 9.8, V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } },
      }],
    },
    {
      Target: 'Dockerfile', Class: 'config', Type: 'dockerfile',
      Misconfigurations: [
        { Type: 'Dockerfile Security Check', ID: 'DS002', AVDID: 'AVD-DS-0002', Title: 'Image user should not be \'root\'', Description: 'Running containers as root is dangerous.', Message: 'Specify at least 1 USER command in Dockerfile with non-root user as argument', Resolution: 'Add \'USER <non root user name>\' line to the Dockerfile', Severity: 'HIGH', PrimaryURL: 'https://avd.aquasec.com/misconfig/ds002', Status: 'FAIL', CauseMetadata: { StartLine: 1, EndLine: 1 } },
        { Type: 'Dockerfile Security Check', ID: 'DS001', AVDID: 'AVD-DS-0001', Title: '\':latest\' tag used', Severity: 'MEDIUM', Status: 'PASS' },
      ],
    },
  ],
};

const GRYPE = {
  matches: [{
    vulnerability: {
      id: 'GHSA-jfh8-c2jp-5v3q', dataSource: 'https://github.com/advisories/GHSA-jfh8-c2jp-5v3q', namespace: 'github:language:java', severity: 'Critical',
      urls: ['https://github.com/advisories/GHSA-jfh8-c2jp-5v3q'], description: 'Remote code injection in Log4j',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', metrics: { baseScore: 10, exploitabilityScore: 3.9, impactScore: 6 } }],
      fix: { versions: ['2.15.0'], state: 'fixed' }, advisories: [],
      epss: [{ cve: 'CVE-2021-44228', epss: 0.97565, percentile: 0.99996, date: '2024-05-01' }],
      knownExploited: [{ cve: 'CVE-2021-44228', KnownRansomwareCampaignUse: 'Known' }],
    },
    relatedVulnerabilities: [{ id: 'CVE-2021-44228', dataSource: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228', namespace: 'nvd:cpe', severity: 'Critical', description: 'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP.' }],
    matchDetails: [{ type: 'exact-direct-match', matcher: 'java-matcher', searchedBy: { language: 'java', namespace: 'github:language:java' }, found: { versionConstraint: '>=2.0-beta9,<2.15.0 (unknown)' } }],
    artifact: { id: '7e2f', name: 'log4j-core', version: '2.14.1', type: 'java-archive', locations: [{ path: '/app/lib/log4j-core-2.14.1.jar' }], language: 'java', licenses: [], cpes: [], purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', upstreams: [] },
  }],
  source: { type: 'image', target: { userInput: 'shop/api:1.4.2' } },
  distro: { name: 'debian', version: '12' },
  descriptor: { name: 'grype', version: '0.77.0', timestamp: '2024-05-02T10:00:00.000000Z' },
};

const CYCLONEDX = {
  bomFormat: 'CycloneDX', specVersion: '1.5', serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', version: 1,
  metadata: { timestamp: '2024-05-02T09:00:00Z', tools: { components: [{ type: 'application', name: 'Dependency-Track', version: '4.11.4' }] }, component: { 'bom-ref': 'app', type: 'application', name: 'shop-api', version: '1.4.2' } },
  components: [
    { 'bom-ref': 'pkg:npm/lodash@4.17.20', type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
    { 'bom-ref': 'pkg:npm/%40babel/traverse@7.22.0', type: 'library', group: '@babel', name: 'traverse', version: '7.22.0', purl: 'pkg:npm/%40babel/traverse@7.22.0' },
  ],
  vulnerabilities: [
    {
      'bom-ref': 'v1', id: 'CVE-2021-23337', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
      references: [{ id: 'GHSA-35jh-r3h4-6jhm', source: { name: 'GITHUB' } }],
      ratings: [{ source: { name: 'NVD' }, score: 7.2, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
      cwes: [77, 94], description: 'Lodash versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
      recommendation: 'Upgrade to 4.17.21', affects: [{ ref: 'pkg:npm/lodash@4.17.20', versions: [{ version: '4.17.21', status: 'unaffected' }] }],
    },
    {
      'bom-ref': 'v2', id: 'CVE-2023-45133', source: { name: 'NVD' },
      ratings: [{ score: 9.3, severity: 'critical', method: 'CVSSv4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }],
      description: 'Babel arbitrary code execution', affects: [{ ref: 'pkg:npm/%40babel/traverse@7.22.0' }],
      analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'only used at build time', lastUpdated: '2024-04-30T08:00:00Z' },
    },
  ],
};

describe('report formats in a sarif-directory', () => {
  let fake: SarifDirectoryFake;
  beforeEach(async () => { fake = await startSarifDirectoryFake(); fake.setProjects([{ key: 'api', name: 'api' }]); });
  afterEach(() => fake.close());
  const vep = { key: 'api', name: 'api' };
  const read = async () => (await fetchPages(sarifDirectoryKind, contextFor(fake), vep)).flat();

  it('detects each format by content, whatever the file is called', () => {
    expect(detectReportFormat(JSON.stringify(TRIVY))).toBe('trivy');
    expect(detectReportFormat(JSON.stringify(GRYPE, null, 2))).toBe('grype');
    expect(detectReportFormat(JSON.stringify(CYCLONEDX))).toBe('cyclonedx');
    expect(detectReportFormat('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[]}')).toBe('sarif');
    expect(detectReportFormat('{"name":"package.json","version":"1.0.0"}')).toBeNull();
    expect(detectReportFormat('<?xml version="1.0"?>')).toBeNull();
  });

  it('reads a Trivy JSON report: vulnerabilities, failed misconfigurations, CVSS of the severity source', async () => {
    fake.writeReport('api', 'report.json', TRIVY, new Date('2024-05-02T12:00:00Z'));
    const all = await read();
    expect(all.map((f) => f.title)).toEqual(['CVE-2024-2511 libssl3 3.0.11-1~deb12u2', 'CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1', 'DS002: Image user should not be \'root\'']);
    expect(all[0]).toMatchObject({
      severity: 'MEDIUM', vulnerabilityIds: ['CVE-2024-2511'], componentName: 'libssl3', fixVersion: '3.0.13-1~deb12u1', fixAvailable: true,
      cwe: 1325, cvssScore: 5.9, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', toolName: 'Trivy', toolVersion: '0.50.1',
      uniqueIdFromTool: 'trivy|registry.example.com/shop/api:1.4.2 (debian 12.5)|CVE-2024-2511|libssl3@3.0.11-1~deb12u2|3.0.11-1~deb12u2',
      date: new Date('2024-05-02T08:11:12.345Z'),
    });
    expect(all[1]).toMatchObject({ severity: 'CRITICAL', fixAvailable: false, fixVersion: null });
    expect(all[2]).toMatchObject({ severity: 'HIGH', filePath: 'Dockerfile', line: 1, mitigation: 'Add \'USER <non root user name>\' line to the Dockerfile' });
  });

  it('reads a Grype JSON report with the related CVE, EPSS and KEV', async () => {
    fake.writeReport('api', 'grype.json', GRYPE, new Date('2024-05-02T12:00:00Z'));
    const [f, ...rest] = await read();
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      title: 'GHSA-jfh8-c2jp-5v3q in log4j-core:2.14.1', severity: 'CRITICAL', vulnerabilityIds: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'],
      filePath: '/app/lib/log4j-core-2.14.1.jar', componentName: 'log4j-core', componentVersion: '2.14.1', fixVersion: '2.15.0', fixAvailable: true,
      cvssScore: 10, epssScore: 0.97565, epssPercentile: 0.99996, knownExploited: true, toolName: 'Grype', toolVersion: '0.77.0',
    });
  });

  it('reads CycloneDX vulnerabilities per affected component, with the VEX analysis as triage', async () => {
    fake.writeReport('api', 'bom.cdx.json', CYCLONEDX, new Date('2024-05-02T12:00:00Z'));
    const all = await read();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      title: 'lodash:4.17.20 | CVE-2021-23337', severity: 'HIGH', vulnerabilityIds: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'], cwes: [77, 94], cwe: 77,
      componentName: 'lodash', filePath: 'pkg:npm/lodash@4.17.20', fixVersion: '4.17.21', cvssScore: 7.2, toolName: 'Dependency-Track', falsePositive: false,
    });
    expect(all[1]).toMatchObject({
      componentName: '@babel:traverse', severity: 'CRITICAL', cvssV4Score: 9.3, falsePositive: true, dismissed: true,
      dismissedReason: 'not_affected: code_not_reachable: only used at build time',
    });
  });

  it('the newest report wins whatever its format; other JSON is passed over; a broken report fails (closes nothing)', async () => {
    fake.writeReport('api', 'old.sarif', { version: '2.1.0', runs: [] }, new Date('2024-05-01T00:00:00Z'));
    fake.writeReport('api', 'trivy.json', TRIVY, new Date('2024-05-03T00:00:00Z'));
    expect((await read()).length).toBe(3);
    fake.writeReport('api', 'package.json', '{"name":"x","version":"1.0.0"}', new Date('2024-05-04T00:00:00Z'));
    expect((await read()).length).toBe(3);
    fake.writeReport('api', 'zz.json', '{"SchemaVersion": 2, "ArtifactName": "x", "Results": [', new Date('2024-05-05T00:00:00Z'));
    expect((await connectorFailure(read())).message).toMatch(/not a valid trivy report: not valid JSON/);
  });
});
