import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sarifDirectoryKind } from '@tributary/server/connectors/sarif-directory.ts';
import { validateConnectorConfig } from '@tributary/server/connectors/validate.ts';
import { InputError } from '@tributary/server/util/input-error.ts';
import { prepareFinding } from '@tributary/server/operations/reimport-prepare.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages } from '../support/kinds.ts';

const VEP = { key: 'web-app', name: 'web-app' };
let fake: SarifDirectoryFake;
beforeEach(async () => { fake = await startSarifDirectoryFake(); fake.setProjects([VEP]); });
afterEach(async () => { await fake.close(); });

const finding = (n: number, over: Partial<FakeFinding> = {}): FakeFinding => ({
  id: `fp-${n}`, title: `Problem ${n}`, severity: 'MEDIUM', description: `Result ${n} message`, filePath: `src/file${n}.ts`, line: n, cwe: 79, ...over,
});
/** a one-run SARIF log around hand-written results and rules */
const log = (results: object[], rules: object[] = [{ id: 'r1', shortDescription: { text: 'Rule one' } }], run: object = {}) =>
  ({ version: '2.1.0', runs: [{ tool: { driver: { name: 'T', rules } }, results, ...run }] });
const at = (minute: number) => new Date(Date.parse('2025-01-01T00:00:00Z') + minute * 60_000);

async function findingsOf(content: object | string) {
  fake.writeReport(VEP.key, 'report.sarif', content, at(100));
  return (await fetchPages(sarifDirectoryKind, contextFor(fake), VEP)).flat();
}

describe('sarif-directory kind', () => {
  it('discovers each sub-directory by name, skipping files and dot-directories', async () => {
    fake.setProjects([{ key: 'b-api', name: 'b-api' }, { key: 'a-web', name: 'a-web' }]);
    mkdirSync(path.join(fake.root, '.git'));
    writeFileSync(path.join(fake.root, 'loose.sarif'), '{}');
    fake.setFindings('a-web', [finding(1)]);
    const veps = await discoverAll(sarifDirectoryKind, contextFor(fake));
    expect(veps).toEqual([
      { key: 'a-web', name: 'a-web', metadata: { file: 'scan-0001.sarif', modifiedAt: '2024-03-01T00:01:00.000Z' } },
      { key: 'b-api', name: 'b-api', metadata: { file: null } },
    ]);
    expect(await sarifDirectoryKind.testConnection(contextFor(fake))).toBe(`Read ${fake.root}: 2 sub-directories`);
  });

  it('reads every run of the newest report with every field mapped', async () => {
    fake.setFindings(VEP.key, [finding(99, { title: 'Old report' })]);
    fake.setPageSizeCap(2);
    fake.setFindings(VEP.key, [
      finding(1, { severity: 'CRITICAL' }), finding(2, { severity: 'HIGH', cwe: 89 }), finding(3, { severity: 'MEDIUM', cwe: undefined }),
      finding(4, { severity: 'LOW', cve: 'CVE-2024-12345' }), finding(5, { severity: 'INFO', filePath: undefined, line: undefined }),
    ]);
    const pages = await fetchPages(sarifDirectoryKind, contextFor(fake), VEP);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    expect(all[0]).toEqual({
      title: 'Problem 1', severity: 'CRITICAL', description: 'Result 1 message\n\nRule fake/problem-1 finds problem 1.',
      uniqueIdFromTool: 'fp-1', vulnIdFromTool: 'fake/problem-1', filePath: 'src/file1.ts', line: 1, endLine: null, cwe: 79, cwes: [79],
      vulnerabilityIds: [], mitigation: null, references: 'https://rules.example.com/fake%2Fproblem-1', cvssScore: 9.8,
      toolName: 'FakeScanner', toolVersion: '1.4.2', staticFinding: true, dynamicFinding: false,
      date: new Date('2024-03-01T10:00:00Z'), falsePositive: false, dismissed: false, dismissedReason: null, mitigated: false, mitigatedAt: null,
    });
    expect(all[1]!.cwe).toBe(89);
    expect(all[2]!.cwe).toBeNull();
    expect(all[3]).toMatchObject({ vulnIdFromTool: 'CVE-2024-12345', vulnerabilityIds: ['CVE-2024-12345'] });
    expect(all[4]).toMatchObject({ filePath: null, line: null });
  });

  it('carries suppressions (false positive) and baselineState "absent" (fixed) over', async () => {
    fake.setFindings(VEP.key, [finding(1, { state: 'false_positive' }), finding(2, { state: 'risk_accepted' }), finding(3, { state: 'fixed' }), finding(4)]);
    const all = (await fetchPages(sarifDirectoryKind, contextFor(fake), VEP)).flat();
    expect(all.map((f) => [f.uniqueIdFromTool, f.falsePositive, f.mitigated])).toEqual([
      ['fp-1', true, false], ['fp-2', true, false], ['fp-3', false, true], ['fp-4', false, false],
    ]);
  });

  it('a suppression under review or rejected is not a false positive; non-"fail" results are skipped', async () => {
    const r = (text: string, extra: object) => ({ ruleId: 'r1', message: { text }, ...extra });
    const all = await findingsOf(log([
      r('review', { suppressions: [{ kind: 'external', status: 'underReview' }] }),
      r('rejected', { suppressions: [{ kind: 'inSource', status: 'rejected' }] }),
      r('plain', { suppressions: [] }),
      r('passed', { kind: 'pass' }),
      r('informational', { kind: 'informational' }),
    ]));
    expect(all.map((f) => [f.description, f.falsePositive])).toEqual([['review', false], ['rejected', false], ['plain', false]]);
  });

  it('takes the unique id from fingerprints, then partialFingerprints, then a hash of the result', async () => {
    const loc = { locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: 3 } } }] };
    const all = await findingsOf(log([
      { ruleId: 'r1', message: { text: 'm' }, ...loc, fingerprints: { 'matchBasedId/v1': 'old', 'matchBasedId/v10': 'newest', 'matchBasedId/v2': 'mid' } },
      { ruleId: 'r1', message: { text: 'm' }, ...loc, partialFingerprints: { primaryLocationStartColumnFingerprint: '25', primaryLocationLineHash: '4b2c:1' } },
      { ruleId: 'r1', message: { text: 'm' }, ...loc },
    ]));
    expect(all.map((f) => f.uniqueIdFromTool)).toEqual([
      'newest',
      'primaryLocationLineHash:4b2c:1|primaryLocationStartColumnFingerprint:25',
      createHash('sha256').update('r1|a.js|3|m').digest('hex'),
    ]);
  });

  it('maps levels, numeric and word security-severity, CWE taxa and tags, file URIs and message templates', async () => {
    const rules = [
      { id: 'lvl', shortDescription: { text: 'By level' }, defaultConfiguration: { level: 'note' } },
      { id: 'num', name: 'By number', properties: { 'security-severity': '6.5', tags: ['external/cwe/cwe-022'] } },
      { id: 'word', properties: { 'security-severity': 'HIGH', tags: ['CWE-352: Cross-Site Request Forgery'] }, messageStrings: { default: { text: 'Found {0} in {1}' } } },
    ];
    const all = await findingsOf(log([
      { ruleId: 'lvl', ruleIndex: 0, message: { text: 'a' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///C:/code/file%201.c' } } }] },
      { ruleId: 'lvl', ruleIndex: 0, level: 'error', message: { text: 'b' }, taxa: [{ id: '798', toolComponent: { name: 'CWE' } }] },
      { ruleId: 'num', ruleIndex: 1, message: { text: 'c' }, locations: [{ physicalLocation: { artifactLocation: { index: 0 } } }] },
      { ruleId: 'word/sub', message: { id: 'default', arguments: ['a token', 'app.js'] } },
      { ruleId: 'unknown', message: { text: 'no rule' } },
    ], rules, { artifacts: [{ location: { uri: 'lib/x.py' } }] }));
    expect(all.map((f) => [f.title, f.severity, f.cwe, f.filePath, f.description])).toEqual([
      ['By level', 'INFO', null, 'C:/code/file 1.c', 'a'],
      ['By level', 'HIGH', 798, null, 'b'],
      ['By number', 'MEDIUM', 22, 'lib/x.py', 'c'],
      ['word/sub', 'HIGH', 352, null, 'Found a token in app.js'],
      ['unknown', 'MEDIUM', null, null, 'no rule'],
    ]);
  });

  it('reads rules declared by tool extensions (CodeQL packs)', async () => {
    const all = await findingsOf({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'CodeQL' }, extensions: [{ name: 'pack', rules: [{ id: 'js/xss', shortDescription: { text: 'Cross-site scripting' }, properties: { 'security-severity': '9.1' } }] }] }, results: [{ ruleId: 'js/xss', rule: { id: 'js/xss', index: 0, toolComponent: { index: 0 } }, message: { text: 'x' } }] }],
    });
    expect(all.map((f) => [f.title, f.severity])).toEqual([['Cross-site scripting', 'CRITICAL']]);
  });

  it('uses the newest .sarif / .sarif.json file and ignores other files', async () => {
    fake.writeReport(VEP.key, 'z-old.sarif', log([{ ruleId: 'r1', message: { text: 'old' } }]), at(1));
    fake.writeReport(VEP.key, 'new.sarif.json', log([{ ruleId: 'r1', message: { text: 'new' } }]), at(2));
    fake.writeReport(VEP.key, 'notes.json', log([{ ruleId: 'r1', message: { text: 'not a report' } }]), at(3));
    const all = (await fetchPages(sarifDirectoryKind, contextFor(fake), VEP)).flat();
    expect(all.map((f) => f.description)).toEqual(['new']);
  });

  it('fingerprints the newest report: the same until it is rewritten, replaced or joined by a newer one, even with the same bytes', async () => {
    const content = log([{ ruleId: 'r1', message: { text: 'one' } }]);
    const ctx = contextFor(fake);
    const print = () => sarifDirectoryKind.reportFingerprint!(ctx, VEP);
    expect(await print()).toBeNull(); // no report yet: fetchFindings says why
    const file = fake.writeReport(VEP.key, 'a.sarif', content, at(1));
    const first = await print();
    expect(first).toContain(createHash('sha256').update(JSON.stringify(content)).digest('base64'));
    expect(await print()).toBe(first);
    // rewritten in place, same bytes and mtime: its change time moves (the kernel's clock for it ticks every few ms)
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.writeReport(VEP.key, 'a.sarif', content, at(1));
    const rewritten = await print();
    expect(rewritten).not.toBe(first);
    fake.writeReport(VEP.key, 'b.sarif', content, at(2));
    expect(await print()).not.toBe(rewritten);
    rmSync(path.join(fake.root, VEP.key, 'b.sarif'));
    expect(await print()).toBe(rewritten);
    expect(await sarifDirectoryKind.reportFingerprint!(ctx, { key: '../etc', name: 'x' })).toBeNull();
    expect(file.endsWith('a.sarif')).toBe(true);
  });

  describe('failures', () => {
    it('an invalid report is a clear error naming the file and the problem', async () => {
      const cases: Array<[string | object, string]> = [
        ['{"version":"2.1.0","runs":[', 'not valid JSON'],
        [{ version: '2.0.0', runs: [] }, '"version" is "2.0.0", not "2.1.0"'],
        [{ version: '2.1.0' }, '"runs" is missing or not an array'],
        [{ version: '2.1.0', runs: [{ results: [] }] }, 'runs[0].tool.driver is missing'],
        [log([{ ruleId: 'r1' }]), 'runs[0].results[0] has no message text'],
      ];
      for (const [content, problem] of cases) {
        const file = fake.writeReport(VEP.key, 'report.sarif', content, at(100));
        const err = await connectorFailure(fetchPages(sarifDirectoryKind, contextFor(fake), VEP));
        expect(err.message.startsWith(`${file} is not a valid SARIF 2.1.0 log: ${problem}`)).toBe(true);
      }
    });

    it('a directory without a report fails rather than close every finding', async () => {
      const err = await connectorFailure(fetchPages(sarifDirectoryKind, contextFor(fake), VEP));
      expect(err.message).toBe(`${path.join(fake.root, VEP.key)} holds no .sarif or .sarif.json file`);
    });

    it('a missing root, a relative path and a key escaping the root are refused', async () => {
      const missing = path.join(fake.root, 'nope');
      expect((await connectorFailure(discoverAll(sarifDirectoryKind, contextFor(fake, { options: { path: missing } })))).message).toBe(`${missing} does not exist`);
      expect((await connectorFailure(sarifDirectoryKind.testConnection(contextFor(fake, { options: { path: 'relative/dir' } })))).message).toBe('options.path must be an absolute directory');
      expect((await connectorFailure(fetchPages(sarifDirectoryKind, contextFor(fake), { key: '../etc', name: 'x' }))).message).toBe('"../etc" is not a sub-directory name');
    });
  });
});

// TRIBUTARY_SARIF_ROOT: validation when the connector is saved, and the same rule again on every read
describe('sarif-directory confined to TRIBUTARY_SARIF_ROOT', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'tributary-sarif-root-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'tributary-outside-'));
    mkdirSync(path.join(outside, 'secret-project'));
    writeFileSync(path.join(outside, 'secret-project', 'x.sarif'), JSON.stringify(log([])));
  });
  afterEach(() => { for (const dir of [root, outside]) rmSync(dir, { recursive: true, force: true }); });

  /** what validation stores for `options.path`, or its InputError message */
  const saved = (p: unknown) => {
    try {
      return validateConnectorConfig(sarifDirectoryKind, { url: '', secret: null, options: { path: p } }, { sarifRoot: root }).path;
    } catch (e) {
      if (e instanceof InputError) return `${e.field} → ${e.message}`;
      throw e;
    }
  };
  const refused = () => `options.path → options.path: must lie under TRIBUTARY_SARIF_ROOT (${root})`;

  it('saves a directory under the root, given absolute or relative to it, as a normalized absolute path', () => {
    mkdirSync(path.join(root, 'team', 'scans'), { recursive: true });
    symlinkSync(path.join(root, 'team'), path.join(root, 'alias'));
    expect(saved(path.join(root, 'team', 'scans') + '/')).toBe(path.join(root, 'team', 'scans'));
    expect(saved('team/scans')).toBe(path.join(root, 'team', 'scans'));
    expect(saved('./team/../team/scans')).toBe(path.join(root, 'team', 'scans'));
    expect(saved(root)).toBe(root);
    // a symlink that stays inside the root is the operator's layout, kept as written
    expect(saved('alias/scans')).toBe(path.join(root, 'alias', 'scans'));
    // not there yet (a CI job creates it later), but its nearest existing ancestor is inside
    expect(saved('team/later/reports')).toBe(path.join(root, 'team', 'later', 'reports'));
  });

  it('refuses /etc, a ".." escape, a symlink leading out, a file, and a missing path, naming options.path', () => {
    symlinkSync(outside, path.join(root, 'escape'));
    writeFileSync(path.join(root, 'notes.txt'), 'x');
    expect(saved('/etc')).toBe(refused());
    expect(saved(`${root}/../${path.basename(outside)}`)).toBe(refused());
    expect(saved(`../${path.basename(outside)}`)).toBe(refused());
    expect(saved(path.join(root, 'escape'))).toBe(refused());
    expect(saved('escape/secret-project')).toBe(refused());
    expect(saved('escape/not-yet')).toBe(refused());
    expect(saved('notes.txt')).toBe(`options.path → options.path: ${path.join(root, 'notes.txt')} is not a directory`);
    expect(saved('notes.txt/sub')).toBe(`options.path → options.path: ${path.join(root, 'notes.txt', 'sub')} is not a directory`);
    expect(saved(undefined)).toBe('options.path → options.path: is required by sarif-directory');
  });

  /** a context reading `dir` under this test's root */
  const ctxFor = (dir: string, sarifRoot = root) => contextFor(fake, { options: { path: dir }, sarifRoot });
  const leadsOut = (p: string) => `${p} leads outside TRIBUTARY_SARIF_ROOT (${root}), so it is not read`;

  it('a directory swapped for a symlink leading out after it was saved is not read', async () => {
    const dir = path.join(root, 'scans');
    mkdirSync(path.join(dir, 'web-app'), { recursive: true });
    expect(saved(dir)).toBe(dir);
    expect(await discoverAll(sarifDirectoryKind, ctxFor(dir))).toEqual([{ key: 'web-app', name: 'web-app', metadata: { file: null } }]);
    rmSync(dir, { recursive: true });
    symlinkSync(outside, dir);
    expect((await connectorFailure(discoverAll(sarifDirectoryKind, ctxFor(dir)))).message).toBe(leadsOut(dir));
    expect((await connectorFailure(sarifDirectoryKind.testConnection(ctxFor(dir)))).message).toBe(leadsOut(dir));
    expect((await connectorFailure(fetchPages(sarifDirectoryKind, ctxFor(dir), { key: 'secret-project', name: 'secret-project' }))).message).toBe(leadsOut(dir));
  });

  it('a project sub-directory swapped for a symlink leading out is not read', async () => {
    const dir = path.join(root, 'scans');
    mkdirSync(dir);
    symlinkSync(path.join(outside, 'secret-project'), path.join(dir, 'web-app'));
    expect((await connectorFailure(fetchPages(sarifDirectoryKind, ctxFor(dir), VEP))).message).toBe(leadsOut(path.join(dir, 'web-app')));
  });

  it('a path saved under a root that has since moved is not read, nor is anything when the root is gone', async () => {
    const dir = path.join(root, 'scans');
    mkdirSync(dir);
    const moved = path.join(root, 'elsewhere');
    mkdirSync(moved);
    expect((await connectorFailure(discoverAll(sarifDirectoryKind, ctxFor(dir, moved)))).message).toBe(`${dir} leads outside TRIBUTARY_SARIF_ROOT (${moved}), so it is not read`);
    const gone = `${root}-gone`;
    renameSync(root, gone);
    try {
      expect((await connectorFailure(discoverAll(sarifDirectoryKind, ctxFor(dir)))).message).toBe(`TRIBUTARY_SARIF_ROOT (${root}) does not exist`);
    } finally {
      renameSync(gone, root);
    }
  });
});

// issue 12, fidelity fixes 1–8: each case is a shape real scanners write (Black Duck, Flawfinder,
// Grype, mobsfscan), hand-written here in its smallest form
describe('sarif-directory fidelity', () => {
  const result = (over: object = {}) => ({ ruleId: 'r1', level: 'warning', message: { text: 'Result message' },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'src/app.c' }, region: { startLine: 12 } } }], ...over });

  it('#1 reads fingerprints whose values are objects ({"value": …}) instead of collapsing them into "[object Object]"', async () => {
    const found = await findingsOf(log([
      result({ fingerprints: { 'blackduck/v1': { value: 'a1b2' } } }),
      result({ fingerprints: { 'blackduck/v1': { value: 'c3d4' } }, locations: [] }),
      result({ partialFingerprints: { primaryLocationLineHash: { value: 'e5f6' } }, locations: [] }),
    ]));
    expect(found.map((f) => f.uniqueIdFromTool)).toEqual(['a1b2', 'c3d4', 'primaryLocationLineHash:e5f6']);
  });

  it('#2 takes CWEs linked through the rule\'s relationships to the CWE taxonomy, every one of them', async () => {
    const rules = [{ id: 'r1', shortDescription: { text: 'Rule one' }, relationships: [
      { target: { id: '120', toolComponent: { name: 'CWE' } }, kinds: ['relevant'] },
      { target: { id: '20', toolComponent: { name: 'CWE' } }, kinds: ['relevant'] },
      { target: { id: 'A1', toolComponent: { name: 'OWASP' } }, kinds: ['relevant'] },
    ] }];
    const [f] = await findingsOf(log([result()], rules, { taxonomies: [{ name: 'CWE', taxa: [{ id: '120' }, { id: '20' }] }] }));
    expect(f).toMatchObject({ cwe: 120, cwes: [120, 20] });
  });

  it('#3 finds CVE ids inside rule ids and rule names, as Grype and Black Duck write them', async () => {
    const rules = [{ id: 'CVE-2008-0732-geronimo-1.1.1', shortDescription: { text: 'geronimo' } },
      { id: 'BDSA-2020-1001', name: 'BDSA-2020-1001 (CVE-2020-11022)' }];
    const found = await findingsOf(log([result({ ruleId: 'CVE-2008-0732-geronimo-1.1.1' }), result({ ruleId: 'BDSA-2020-1001' })], rules));
    expect(found.map((f) => f.vulnerabilityIds)).toEqual([['CVE-2008-0732'], ['CVE-2020-11022']]);
  });

  it('#4 gives one finding per location of a result, each with its own location and id', async () => {
    const found = await findingsOf(log([result({ fingerprints: { 'v/1': 'fp' }, locations: [
      { physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: 3, endLine: 5 } } },
      { physicalLocation: { artifactLocation: { uri: 'src/b.js' }, region: { startLine: 7 } } },
    ] })]));
    expect(found.map((f) => [f.filePath, f.line, f.endLine])).toEqual([['src/a.js', 3, 5], ['src/b.js', 7, null]]);
    expect(new Set(found.map((f) => f.uniqueIdFromTool)).size).toBe(2);
  });

  it('#5 dates the run by its invocation\'s endTimeUtc when startTimeUtc is absent', async () => {
    const [f] = await findingsOf({ version: '2.1.0', runs: [{ tool: { driver: { name: 'T', rules: [{ id: 'r1' }] } },
      invocations: [{ executionSuccessful: true, endTimeUtc: '2024-06-01T10:00:00Z' }], results: [result()] }] });
    expect(f!.date).toEqual(new Date('2024-06-01T10:00:00Z'));
  });

  it('#6 carries result.fixes into mitigation, a numeric security-severity into the CVSS score, and the rule\'s help link into references', async () => {
    const rules = [{ id: 'r1', shortDescription: { text: 'Rule one' }, helpUri: 'https://tool.example/rules/r1', properties: { 'security-severity': '8.1' } },
      { id: 'r2', shortDescription: { text: 'Rule two' }, help: { text: 'https://tool.example/rules/r2' } }];
    const found = await findingsOf(log([
      result({ fixes: [{ description: { text: 'Use strncpy with the buffer size.' } }] }),
      result({ ruleId: 'r2' }),
    ], rules));
    expect(found[0]).toMatchObject({ severity: 'HIGH', cvssScore: 8.1, mitigation: 'Use strncpy with the buffer size.', references: 'https://tool.example/rules/r1' });
    expect(found[1]).toMatchObject({ references: 'https://tool.example/rules/r2' });
  });

  it('#7 maps the levels note and none to INFO, as DefectDojo does', async () => {
    const found = await findingsOf(log([result({ level: 'note' }), result({ level: 'none' }), result({ level: 'error' })]));
    expect(found.map((f) => f.severity)).toEqual(['INFO', 'INFO', 'HIGH']);
  });

  it('#8 computes hash_code as DefectDojo does, over its legacy fields title, cwe, line, file_path, description', async () => {
    const rules = [{ id: 'r1', shortDescription: { text: 'Rule one' }, properties: { tags: ['external/cwe/cwe-120'] } }];
    const [f] = await findingsOf(log([result({ message: { text: 'Buffer overflow here' } })], rules));
    const prepared = prepareFinding(f, sarifDirectoryKind.dedupe.hashFields);
    // python3 -c 'import hashlib; fields = "Rule one" + "120" + "12" + "src/app.c" + "Buffer overflow here";
    //   print(hashlib.sha256(fields.casefold().encode("utf-8").strip()).hexdigest())'
    // (DefectDojo's Finding.compute_hash_code over its legacy HASHCODE fields, in their order)
    expect(prepared.ok && prepared.finding.hashCode).toBe('a9e9fac47f16e58e33944201cc9631bbd5da6938b5021144eb7dc6d03a55b9f4');
  });

  it('carries the tool, end line and a suppression\'s justification as the tool\'s dismissal', async () => {
    const content = { version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL', semanticVersion: '2.20.1', rules: [{ id: 'r1' }] } },
      results: [result({ suppressions: [{ kind: 'external', status: 'accepted', justification: 'Sanitized upstream.' }] })] }] };
    const [f] = await findingsOf(content);
    expect(f).toMatchObject({ toolName: 'CodeQL', toolVersion: '2.20.1', falsePositive: true, dismissed: true, dismissedReason: 'Sanitized upstream.' });
  });
});
