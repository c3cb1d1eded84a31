// Fuzzing (issue 15, part 6) of every vendor payload normalizer and of the SARIF / CycloneDX / Trivy /
// Grype readers. Three kinds of input:
//   - arbitrary JSON values handed to each normalizer function directly;
//   - every HTTP kind run through discover and fetchFindings against its fake, with one recorded
//     response replaced: a field (anywhere in it) swapped for null / a number / a string / a boolean
//     / an object / an array, the whole body swapped for arbitrary JSON, or the body cut short — the
//     plausible payloads come from the fakes' own answers, so a kind added with its fake is fuzzed;
//   - SARIF, CycloneDX, Trivy and Grype reports, mutated the same way and truncated, read by the
//     directory kind from disk.
// Each run must end in valid normalized findings (title a non-empty string, severity one of five,
// numbers finite, arrays of the right element type) or a ConnectorError, within a time box.
// FUZZ_RUNS=<factor> multiplies the 100 runs per target (FUZZ_RUNS=50: 5,000); a failure prints
// fast-check's seed and path, FUZZ_SEED=<seed> replays it.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardedHttp, type HttpRequest, type HttpResponse } from '@tributary/server/connectors/http.ts';
import { ConnectorError } from '@tributary/server/connectors/connector-error.ts';
import { findKind } from '@tributary/server/connectors/registry.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from '@tributary/server/connectors/kind.ts';
import { SEVERITIES } from '@tributary/server/severity.ts';
import { normalizeAsff } from '@tributary/server/connectors/aws-securityhub-findings.ts';
import { normalizeIssue as normalizeBurpIssue } from '@tributary/server/connectors/burp-enterprise-issues.ts';
import { normalizeResult as normalizeCheckmarxResult } from '@tributary/server/connectors/checkmarx-one-results.ts';
import { normalizeCycloneDx } from '@tributary/server/connectors/cyclonedx-normalize.ts';
import { normalizeDojoFinding } from '@tributary/server/connectors/defectdojo-findings.ts';
import { normalizeFinding as normalizeDtFinding } from '@tributary/server/connectors/dependency-track.ts';
import { normalizeCodeScanningAlert, normalizeDependabotAlert } from '@tributary/server/connectors/github-alerts.ts';
import { normalizeVulnerability as normalizeGitlabVulnerability } from '@tributary/server/connectors/gitlab-vulnerabilities.ts';
import { normalizeGrype } from '@tributary/server/connectors/grype-normalize.ts';
import { normalizeHarborReport } from '@tributary/server/connectors/harbor-report.ts';
import { normalizeSemgrepFinding } from '@tributary/server/connectors/semgrep-findings.ts';
import { normalizeIssue as normalizeSnykIssue } from '@tributary/server/connectors/snyk-issues.ts';
import { normalizeHotspot, normalizeIssue as normalizeSonarIssue } from '@tributary/server/connectors/sonarqube-findings.ts';
import { normalizeTrivy } from '@tributary/server/connectors/trivy-normalize.ts';
import { normalizeFinding as normalizeWizFinding } from '@tributary/server/connectors/wiz-findings.ts';
import type { FakeFinding, FakeTool } from '../fakes/fake.ts';
import { fakes } from '../fakes/index.ts';
import { contextFor, projectsOf } from '../support/kinds.ts';

const RUNS = 100 * Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** one run's time box: a normalizer or a listing that takes longer is taken to hang */
const RUN_TIMEOUT_MS = 2000;
const settings = { numRuns: RUNS, seed: SEED, timeout: RUN_TIMEOUT_MS, endOnFailure: true };

// ---------------------------------------------------------------------------------------------
// what a run must end in

const NUMBER_FIELDS = ['line', 'endLine', 'cwe', 'cvssScore', 'cvssV4Score', 'epssScore', 'epssPercentile'] as const;
const DATE_FIELDS = ['date', 'mitigatedAt', 'dismissedAt'] as const;

/** Why `f` is not a valid NormalizedFinding, or null. */
function invalidity(f: NormalizedFinding): string | null {
  if (f === null || typeof f !== 'object') return 'not an object';
  if (typeof f.title !== 'string' || f.title.trim() === '') return `title ${JSON.stringify(f.title)}`;
  if (!SEVERITIES.includes(f.severity)) return `severity ${JSON.stringify(f.severity)}`;
  for (const k of NUMBER_FIELDS) {
    const v = f[k];
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) return `${k} ${JSON.stringify(v)}`;
  }
  for (const k of DATE_FIELDS) {
    const v = f[k];
    if (v !== null && v !== undefined && !(v instanceof Date)) return `${k} ${JSON.stringify(v)}`;
  }
  if (f.cwes !== undefined && !(Array.isArray(f.cwes) && f.cwes.every((n) => typeof n === 'number' && Number.isFinite(n)))) return `cwes ${JSON.stringify(f.cwes)}`;
  if (f.vulnerabilityIds !== undefined && !(Array.isArray(f.vulnerabilityIds) && f.vulnerabilityIds.every((s) => typeof s === 'string'))) return `vulnerabilityIds ${JSON.stringify(f.vulnerabilityIds)}`;
  return null;
}

/** Runs `work`: it must give valid findings or throw a ConnectorError; anything else fails the property. */
async function mustNormalizeOrFailClearly(work: () => NormalizedFinding[] | Promise<NormalizedFinding[]>): Promise<void> {
  let found: NormalizedFinding[];
  try {
    found = await work();
  } catch (e) {
    if (e instanceof ConnectorError && e.message.length > 0) return;
    throw new Error(`threw past the boundary: ${(e as Error)?.stack ?? String(e)}`);
  }
  if (!Array.isArray(found)) throw new Error(`not a list of findings: ${JSON.stringify(found)}`);
  for (const f of found) {
    const why = invalidity(f);
    if (why) throw new Error(`invalid finding (${why}): ${JSON.stringify(f).slice(0, 500)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// arbitraries

const json = fc.jsonValue({ maxDepth: 4 });
/** a value of another type than the one the payload had */
const wrongType = fc.oneof(
  fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(),
  fc.constant({}), fc.constant([]), fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }), fc.array(json, { maxLength: 3 }),
);

type Path = Array<string | number>;
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}
function replaceAt(value: unknown, at: Path, by: unknown): unknown {
  if (at.length === 0) return by;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[at[0]!] = replaceAt(copy[at[0]!], at.slice(1), by);
  return copy;
}

/** A document derived from `sample`: 1–3 fields (any depth) of another type, arbitrary JSON, or `sample`'s text cut short. */
function mutationsOf(sample: unknown): fc.Arbitrary<{ text: string; how: string }> {
  const paths = pathsOf(sample);
  const text = JSON.stringify(sample);
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.tuple(fc.nat(paths.length - 1), wrongType), { minLength: 1, maxLength: 3 }).map((swaps) => {
      let doc = sample;
      for (const [i, by] of swaps) doc = replaceAt(doc, paths[i]!, by);
      return { text: JSON.stringify(doc), how: `swapped ${swaps.map(([i, by]) => `${paths[i]!.join('.')}=${JSON.stringify(by)}`).join(', ')}` };
    }) },
    { weight: 1, arbitrary: json.map((doc) => ({ text: JSON.stringify(doc), how: 'arbitrary JSON' })) },
    { weight: 2, arbitrary: fc.nat(Math.max(0, text.length - 1)).map((n) => ({ text: text.slice(0, n), how: `cut at ${n} of ${text.length}` })) },
  );
}

// ---------------------------------------------------------------------------------------------
// 1. every normalizer, handed arbitrary JSON

const fail = (m: string): never => { throw new ConnectorError(m); };
const sonarCtx = { config: { url: 'https://sonar.example.com', secret: null, options: {} } } as unknown as KindContext;
const FILE_DATE = new Date('2024-05-01T00:00:00Z');
const NORMALIZERS: Record<string, (item: any) => NormalizedFinding[]> = {
  'aws-securityhub (ASFF finding)': (x) => [normalizeAsff(x, 'eu-west-1')],
  'burp-enterprise (issue)': (x) => [normalizeBurpIssue(x, { scanId: '7', startedAt: FILE_DATE, root: 'https://burp.example.com' })],
  'checkmarx-one (result)': (x) => [normalizeCheckmarxResult(x, { projectId: 'p', scanId: 's', branch: 'main', root: 'https://eu.ast.checkmarx.net' })],
  'defectdojo (finding)': (x) => [normalizeDojoFinding(x, 'https://dojo.example.com')],
  'dependency-track (finding)': (x) => [normalizeDtFinding(x)],
  'github (code-scanning alert)': (x) => [normalizeCodeScanningAlert('42', x)],
  'github (Dependabot alert)': (x) => [normalizeDependabotAlert('42', x)],
  'gitlab (vulnerability)': (x) => [normalizeGitlabVulnerability(x)],
  'harbor (vulnerability report)': (x) => normalizeHarborReport(x, { repository: 'shop/api', digest: 'sha256:1', tags: ['1.0'], webUrl: 'https://harbor.example.com' }, fail),
  'semgrep (Code finding)': (x) => [normalizeSemgrepFinding(x, 'sast', 'https://semgrep.dev/orgs/acme/findings')],
  'semgrep (Supply Chain finding)': (x) => [normalizeSemgrepFinding(x, 'sca', 'https://semgrep.dev/orgs/acme/findings')],
  'snyk (issue)': (x) => [normalizeSnykIssue(x)],
  'sonarqube (issue)': (x) => [normalizeSonarIssue(sonarCtx, 'org.example:app', x, new Map(), null)],
  'sonarqube (hotspot)': (x) => [normalizeHotspot(sonarCtx, 'org.example:app', x, new Map(), null)],
  'wiz (vulnerability finding)': (x) => [normalizeWizFinding(x)],
  'CycloneDX reader': (x) => normalizeCycloneDx(x, FILE_DATE, fail),
  'Trivy reader': (x) => normalizeTrivy(x, FILE_DATE, fail),
  'Grype reader': (x) => normalizeGrype(x, FILE_DATE, fail),
};

describe('every normalizer, handed arbitrary JSON', () => {
  it.each(Object.keys(NORMALIZERS))('%s', async (name) => {
    const normalize = NORMALIZERS[name]!;
    // objects most of the time: an arbitrary scalar is refused at the first line
    const input = fc.oneof({ weight: 1, arbitrary: json }, { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 8 }) });
    await fc.assert(fc.asyncProperty(input, (x) => mustNormalizeOrFailClearly(() => normalize(x))), settings);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. every HTTP kind, with one of its fake's answers mutated

/** Records every answer of a first clean run; then serves them again, one replaced. */
class ReplayHttp extends GuardedHttp {
  readonly recorded = new Map<string, HttpResponse>();
  order: string[] = [];
  replacing: { key: string; body: string } | null = null;
  recording = true;

  override async request(url: string, init: HttpRequest = {}, signal?: AbortSignal): Promise<HttpResponse> {
    const key = `${init.method ?? 'GET'} ${url} ${init.body ?? ''}`;
    if (this.recording) {
      const res = await super.request(url, init, signal);
      if (!this.recorded.has(key)) this.order.push(key);
      this.recorded.set(key, res);
      return res;
    }
    const seen = this.recorded.get(key);
    // a request the clean run never made (a mutated cursor, page number …) goes to the fake itself
    if (!seen) return super.request(url, init, signal);
    if (this.replacing?.key !== key) return seen;
    const body = this.replacing.body;
    return { ...seen, body, json: <T>() => JSON.parse(body) as T };
  }
}

const FINDINGS: FakeFinding[] = [
  { id: 'f1', title: 'SQL injection', severity: 'CRITICAL', description: 'User input reaches a query.', filePath: 'src/db.py', line: 12, cwe: 89 },
  { id: 'f2', title: 'Vulnerable lodash', severity: 'HIGH', cve: 'CVE-2021-23337', componentName: 'lodash', componentVersion: '4.17.15', state: 'false_positive' },
  { id: 'f3', title: 'Weak hash', severity: 'MEDIUM', filePath: 'src/hash.ts', line: 3, cwe: 328, state: 'risk_accepted' },
  { id: 'f4', title: 'Old TLS', severity: 'LOW', state: 'fixed' },
];

const httpKinds = Object.keys(fakes).filter((k) => k !== 'sarif-directory');

describe.each(httpKinds)('%s through discover and fetchFindings, one answer mutated', (kindId) => {
  const kind = findKind(kindId) as ConnectorKind;
  let fake: FakeTool;
  let vep: Vep;
  const ctxs: Record<'discover' | 'fetchFindings', KindContext> = {} as never;
  beforeAll(async () => {
    fake = await fakes[kindId]!();
    const projects = projectsOf(fake, [1, 2]);
    fake.setProjects(projects);
    for (const p of projects) fake.setFindings(p.key, FINDINGS);
    for (const op of ['discover', 'fetchFindings'] as const) {
      const base = contextFor(fake, { http: { retries: 0 } });
      ctxs[op] = { ...base, http: new ReplayHttp({ service: base.http.service, secrets: [fake.token], retries: 0, timeoutMs: 2000 }) };
    }
    const veps: Vep[] = [];
    for await (const v of kind.discover(ctxs.discover)) veps.push(v);
    vep = veps[0]!;
    let count = 0;
    for await (const page of kind.fetchFindings(ctxs.fetchFindings, vep)) count += page.length;
    expect(count).toBeGreaterThan(0);
    for (const c of Object.values(ctxs)) (c.http as ReplayHttp).recording = false;
  });
  afterAll(async () => { await fake?.close(); });

  it.each(['discover', 'fetchFindings'] as const)('%s', async (op) => {
    const http = ctxs[op].http as ReplayHttp;
    const answers = http.order.map((key) => ({ key, doc: parseOrText(http.recorded.get(key)!.body) }));
    const mutation = fc.nat(answers.length - 1).chain((i) => mutationsOf(answers[i]!.doc).map((m) => ({ key: answers[i]!.key, ...m })));
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      http.replacing = { key: m.key, body: m.text };
      try {
        await mustNormalizeOrFailClearly(async () => {
          if (op === 'fetchFindings') {
            const out: NormalizedFinding[] = [];
            for await (const page of kind.fetchFindings(ctxs[op], vep)) out.push(...page);
            return out;
          }
          for await (const v of kind.discover(ctxs[op])) {
            if (typeof v.key !== 'string' || v.key === '' || typeof v.name !== 'string') throw new Error(`invalid VEP ${JSON.stringify(v)}`);
          }
          return [];
        });
      } catch (e) {
        throw new Error(`${m.key} ${m.how}: ${(e as Error).message}`);
      } finally {
        http.replacing = null;
      }
    }), settings);
  });
});

function parseOrText(body: string): unknown {
  try { return JSON.parse(body); } catch { return body; }
}

// ---------------------------------------------------------------------------------------------
// 3. the report readers, read from disk by the directory kind: mutated and cut short

const SARIF = {
  version: '2.1.0',
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  runs: [{
    tool: { driver: { name: 'CodeQL', semanticVersion: '2.17.0', rules: [
      { id: 'js/sql-injection', name: 'SqlInjection', shortDescription: { text: 'Database query built from user-controlled sources' }, fullDescription: { text: 'Building a query from user input lets a user change its meaning.' },
        defaultConfiguration: { level: 'error' }, helpUri: 'https://codeql.github.com/', properties: { tags: ['security', 'external/cwe/cwe-089'], 'security-severity': '8.8' },
        relationships: [{ target: { id: '89', toolComponent: { name: 'CWE' } } }] },
    ] } },
    invocations: [{ executionSuccessful: true, startTimeUtc: '2024-05-01T10:00:00Z' }],
    artifacts: [{ location: { uri: 'src/db.js' } }],
    taxonomies: [{ name: 'CWE', taxa: [{ id: '89' }] }],
    results: [
      { ruleId: 'js/sql-injection', ruleIndex: 0, level: 'error', message: { text: 'This query depends on a {0}.', arguments: ['user-provided value'] },
        locations: [{ physicalLocation: { artifactLocation: { index: 0 }, region: { startLine: 12, endLine: 14 } } }, { physicalLocation: { artifactLocation: { uri: 'file:///src/app.js' }, region: { startLine: 3 } } }],
        partialFingerprints: { primaryLocationLineHash: 'abc:1' }, taxa: [{ id: '89', toolComponent: { index: 0 } }], fixes: [{ description: { text: 'Use a parameterized query.' } }] },
      { ruleId: 'js/other', message: { text: 'Something else' }, suppressions: [{ kind: 'inSource', status: 'accepted', justification: 'test code' }], baselineState: 'absent', fingerprints: { 'v1': 'f1' } },
    ],
  }],
};
const CYCLONEDX = {
  bomFormat: 'CycloneDX', specVersion: '1.5', version: 1,
  metadata: { timestamp: '2024-05-01T10:00:00Z', tools: { components: [{ name: 'cdxgen', version: '10.0.0' }] }, component: { 'bom-ref': 'app', name: 'shop', version: '1.0.0' } },
  components: [{ 'bom-ref': 'pkg:npm/lodash@4.17.15', group: '', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', components: [] }],
  vulnerabilities: [{
    'bom-ref': 'v1', id: 'CVE-2021-23337', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
    references: [{ id: 'GHSA-35jh-r3h4-6jhm', source: { name: 'GitHub' } }],
    ratings: [{ severity: 'high', score: 7.2, method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }, { score: 9.1, method: 'CVSSv4' }],
    cwes: [94], description: 'Command injection in lodash', recommendation: 'Upgrade to 4.17.21', advisories: [{ url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' }],
    created: '2021-02-15T00:00:00Z', analysis: { state: 'exploitable', response: ['will_not_fix'], detail: 'reachable', lastUpdated: '2024-05-01T00:00:00Z' },
    affects: [{ ref: 'pkg:npm/lodash@4.17.15', versions: [{ version: '4.17.21', status: 'unaffected' }] }],
  }],
};
const TRIVY = {
  SchemaVersion: 2, CreatedAt: '2024-05-02T10:11:12+02:00', ArtifactName: 'shop/api:1.4.2', ArtifactType: 'container_image', Trivy: { Version: '0.50.1' },
  Results: [
    { Target: 'shop/api:1.4.2 (debian 12.5)', Class: 'os-pkgs', Vulnerabilities: [{
      VulnerabilityID: 'CVE-2024-2511', PkgID: 'libssl3@3.0.11', PkgName: 'libssl3', InstalledVersion: '3.0.11', FixedVersion: '3.0.13', Status: 'fixed', SeveritySource: 'nvd',
      PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2024-2511', Title: 'openssl: unbounded memory growth', Description: 'Some TLS configurations grow memory.', Severity: 'MEDIUM', CweIDs: ['CWE-1325'],
      CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', V3Score: 5.9, V40Score: 6.1, V40Vector: 'CVSS:4.0/AV:N' } }, References: ['https://www.openssl.org/news/secadv/20240408.txt'],
    }] },
    { Target: 'Dockerfile', Class: 'config', Misconfigurations: [{ ID: 'DS002', AVDID: 'AVD-DS-0002', Title: 'Image user should not be root', Message: 'Add a USER', Resolution: 'Add USER', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { StartLine: 1, EndLine: 2 }, References: ['https://avd.aquasec.com/misconfig/ds002'] }] },
    { Target: 'app/.env', Class: 'secret', Secrets: [{ RuleID: 'aws-access-key-id', Category: 'AWS', Severity: 'CRITICAL', Title: 'AWS Access Key ID', StartLine: 3, EndLine: 3, Match: 'AWS_ACCESS_KEY_ID=****' }] },
  ],
};
const GRYPE = {
  matches: [{
    vulnerability: { id: 'GHSA-jfh8-c2jp-5v3q', dataSource: 'https://github.com/advisories/GHSA-jfh8-c2jp-5v3q', severity: 'Critical', urls: ['https://github.com/advisories/GHSA-jfh8-c2jp-5v3q'], description: 'Remote code injection in Log4j',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', metrics: { baseScore: 10 } }], fix: { versions: ['2.15.0'], state: 'fixed' },
      epss: [{ cve: 'CVE-2021-44228', epss: 0.97565, percentile: 0.99996 }], knownExploited: [{ cve: 'CVE-2021-44228' }] },
    relatedVulnerabilities: [{ id: 'CVE-2021-44228', description: 'JNDI lookups', cvss: [{ version: '4.0', vector: 'CVSS:4.0/AV:N', metrics: { baseScore: 10 } }] }],
    matchDetails: [{ type: 'exact-direct-match' }],
    artifact: { name: 'log4j-core', version: '2.14.1', type: 'java-archive', locations: [{ path: '/app/lib/log4j-core-2.14.1.jar' }], purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
  }],
  descriptor: { name: 'grype', version: '0.77.0', timestamp: '2024-05-02T10:00:00Z' },
};

describe('the report readers, read by the directory kind', () => {
  const kind = findKind('sarif-directory') as ConnectorKind;
  let root: string;
  let ctx: KindContext;
  let n = 0;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'tributary-fuzz-'));
    ctx = { config: { url: '', secret: null, options: { path: root } }, sarifRoot: os.tmpdir(), http: new GuardedHttp({ service: 'SARIF directory' }) };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['SARIF', SARIF, 'report.sarif'],
    ['CycloneDX', CYCLONEDX, 'bom.json'],
    ['Trivy', TRIVY, 'trivy.json'],
    ['Grype', GRYPE, 'grype.json'],
  ] as const)('%s: mutated and cut short', async (_format, sample, fileName) => {
    // the clean sample reads: the mutations start from a report the reader accepts
    const clean = await readReport(JSON.stringify(sample));
    expect(clean.length).toBeGreaterThan(0);
    await fc.assert(fc.asyncProperty(mutationsOf(sample), async (m) => {
      try {
        await mustNormalizeOrFailClearly(() => readReport(m.text));
      } catch (e) {
        throw new Error(`${m.how}: ${(e as Error).message}`);
      }
    }), settings);

    /** the report alone in a fresh VEP directory, read as a sync reads it */
    async function readReport(text: string): Promise<NormalizedFinding[]> {
      const key = `vep-${++n}`;
      const file = path.join(root, key, fileName);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      utimesSync(file, FILE_DATE, FILE_DATE);
      const out: NormalizedFinding[] = [];
      try {
        for await (const page of kind.fetchFindings(ctx, { key, name: key })) out.push(...page);
      } finally {
        rmSync(path.dirname(file), { recursive: true, force: true });
      }
      return out;
    }
  });
});
