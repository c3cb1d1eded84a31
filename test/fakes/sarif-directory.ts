// The "tool" behind sarif-directory is a directory: this fake writes SARIF 2.1.0 reports into a
// temporary one (one sub-directory per VEP, a newer file per setFindings) instead of serving HTTP.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FakeFinding, FakeTool } from './fake.ts';

const LEVEL: Record<string, string> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', INFO: 'none' };
/** report n is stamped n minutes after this, so "newest" never depends on the clock's resolution */
export const SARIF_EPOCH = Date.parse('2024-03-01T00:00:00Z');

export interface SarifDirectoryFake extends FakeTool {
  root: string;
  /** writes a file as is (invalid reports, older reports) with the given modification time */
  writeReport(vepKey: string, fileName: string, content: string | object, modifiedAt: Date): string;
}

// FakeTool's setters are synchronous and callers drive the kind right after them, so the files
// are written synchronously: nothing is left in flight when a setter returns.
export async function startSarifDirectoryFake(): Promise<SarifDirectoryFake> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-sarif-'));
  let cap = 1000;
  let written = 0;
  // what setFindings last wrote per VEP, re-rendered when the cap changes (a cap applies to
  // what the tool serves next, as in the HTTP fakes, not only to later reports)
  const latest = new Map<string, { name: string; findings: FakeFinding[]; modifiedAt: Date }>();

  function writeReport(vepKey: string, fileName: string, content: string | object, modifiedAt: Date): string {
    const file = path.join(root, vepKey, fileName);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    utimesSync(file, modifiedAt, modifiedAt);
    return file;
  }

  return {
    kind: 'sarif-directory',
    url: '',
    token: '',
    root,
    options: { path: root },
    requests: [],
    setProjects(list) {
      const keep = new Set(list.map((p) => p.key));
      for (const e of readdirSync(root, { withFileTypes: true })) if (e.isDirectory() && !keep.has(e.name)) rmSync(path.join(root, e.name), { recursive: true });
      for (const p of list) mkdirSync(path.join(root, p.key), { recursive: true });
    },
    setFindings(vepKey, findings) {
      const n = ++written;
      const report = { name: `scan-${String(n).padStart(4, '0')}.sarif`, findings: [...findings], modifiedAt: new Date(SARIF_EPOCH + n * 60_000) };
      latest.set(vepKey, report);
      writeReport(vepKey, report.name, renderSarif(report.findings, cap), report.modifiedAt);
    },
    writeReport,
    failNext() { throw new Error('sarif-directory reads files: there is no HTTP request to fail'); },
    // a report has no pages; the cap becomes the most results per SARIF run, so a small cap
    // spreads findings over several runs, as multi-language CodeQL reports do
    setPageSizeCap(n) {
      cap = n;
      for (const [vepKey, r] of latest) writeReport(vepKey, r.name, renderSarif(r.findings, cap), r.modifiedAt);
    },
    setLoopingPagination(on) { if (on) throw new Error('sarif-directory has no pagination to loop'); },
    async close() { rmSync(root, { recursive: true, force: true }); },
  };
}

function renderSarif(findings: FakeFinding[], perRun: number) {
  const runs = [];
  for (let i = 0; i < findings.length || runs.length === 0; i += perRun) runs.push(renderRun(findings.slice(i, i + perRun)));
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs };
}

function renderRun(findings: FakeFinding[]) {
  const rules: Array<Record<string, unknown>> = [];
  const index = new Map<string, number>();
  const results = findings.map((f) => {
    const ruleId = f.cve ?? `fake/${f.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    const ruleKey = JSON.stringify([ruleId, f.title, f.severity, f.cwe ?? null]);
    if (!index.has(ruleKey)) {
      index.set(ruleKey, rules.length);
      rules.push({
        id: ruleId, name: ruleId,
        shortDescription: { text: f.title },
        fullDescription: { text: `Rule ${ruleId} finds ${f.title.toLowerCase()}.` },
        defaultConfiguration: { enabled: true, level: LEVEL[f.severity] },
        helpUri: `https://rules.example.com/${encodeURIComponent(ruleId)}`,
        properties: {
          tags: ['security', ...(f.cwe ? [`external/cwe/cwe-${String(f.cwe).padStart(3, '0')}`] : [])],
          // CRITICAL and LOW need the GitHub security-severity number: no level says them (a note is
          // INFO, as in DefectDojo)
          ...(f.severity === 'CRITICAL' ? { 'security-severity': '9.8' } : f.severity === 'LOW' ? { 'security-severity': '2.0' } : {}),
        },
      });
    }
    return {
      ruleId, ruleIndex: index.get(ruleKey), level: LEVEL[f.severity], kind: 'fail',
      message: { text: f.description ?? f.title },
      ...(f.filePath ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.filePath, uriBaseId: '%SRCROOT%' }, ...(f.line ? { region: { startLine: f.line, startColumn: 1 } } : {}) } }] } : {}),
      fingerprints: { 'matchBasedId/v1': f.id },
      ...(f.state === 'false_positive' ? { suppressions: [{ kind: 'external', status: 'accepted', justification: 'false positive' }] } : {}),
      // SARIF has no "accepted risk": a reviewed in-source suppression is the closest
      ...(f.state === 'risk_accepted' ? { suppressions: [{ kind: 'inSource', justification: 'risk accepted' }] } : {}),
      ...(f.state === 'fixed' ? { baselineState: 'absent' } : { baselineState: 'unchanged' }),
    };
  });
  return {
    tool: { driver: { name: 'FakeScanner', semanticVersion: '1.4.2', informationUri: 'https://scanner.example.com', rules } },
    invocations: [{ executionSuccessful: true, startTimeUtc: '2024-03-01T10:00:00Z', endTimeUtc: '2024-03-01T10:02:00Z' }],
    results,
  };
}
