// The sarif-directory kind streams a report: SARIF does not order a run's properties, so the same
// log written in any key order must give the same findings in the same order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sarifDirectoryKind } from '@tributary/server/connectors/sarif-directory.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { connectorFailure, contextFor, fetchPages } from '../support/kinds.ts';

const VEP = { key: 'web-app', name: 'web-app' };
let fake: SarifDirectoryFake;
beforeEach(async () => { fake = await startSarifDirectoryFake(); fake.setProjects([VEP]); });
afterEach(async () => { await fake.close(); });

const rules = [{ id: 'r0', shortDescription: { text: 'Rule zero' } }, { id: 'r1', shortDescription: { text: 'Rule one' }, properties: { 'security-severity': '9.5' } }];
const results = Array.from({ length: 5 }, (_, n) => ({
  ruleIndex: n % 2, message: { text: `m${n}` },
  locations: [{ physicalLocation: { artifactLocation: { index: n % 2 }, region: { startLine: n + 1 } } }],
  taxa: [{ id: String(20 + n), toolComponent: { index: 0 } }],
}));
const run = {
  tool: { driver: { name: 'T', rules } },
  invocations: [{ startTimeUtc: '2025-02-03T04:05:06Z' }],
  artifacts: [{ location: { uri: 'a.js' } }, { location: { uri: 'b.js' } }],
  taxonomies: [{ name: 'CWE' }],
  results,
};

/** the log's JSON with the run's properties and the top level's in the given orders */
function written(runKeys: Array<keyof typeof run>, versionLast: boolean): string {
  const ordered = Object.fromEntries(runKeys.map((k) => [k, run[k]]));
  return versionLast ? JSON.stringify({ runs: [ordered, ordered], version: '2.1.0' }) : JSON.stringify({ version: '2.1.0', runs: [ordered, ordered] });
}

async function read(text: string) {
  fake.writeReport(VEP.key, 'report.sarif', text, new Date('2025-01-01T00:00:00Z'));
  return fetchPages(sarifDirectoryKind, contextFor(fake), VEP);
}

describe('sarif-directory reads a report whatever its key order', () => {
  it('results before or after the tool, artifacts, taxonomies and invocations give the same findings', async () => {
    const expected = await read(written(['tool', 'invocations', 'artifacts', 'taxonomies', 'results'], false));
    expect(expected.map((p) => p.length)).toEqual([5, 5]);
    expect(expected[0]!.map((f) => [f.title, f.severity, f.filePath, f.cwe, f.date?.toISOString()])).toEqual([
      ['Rule zero', 'MEDIUM', 'a.js', 20, '2025-02-03T04:05:06.000Z'],
      ['Rule one', 'CRITICAL', 'b.js', 21, '2025-02-03T04:05:06.000Z'],
      ['Rule zero', 'MEDIUM', 'a.js', 22, '2025-02-03T04:05:06.000Z'],
      ['Rule one', 'CRITICAL', 'b.js', 23, '2025-02-03T04:05:06.000Z'],
      ['Rule zero', 'MEDIUM', 'a.js', 24, '2025-02-03T04:05:06.000Z'],
    ]);
    // alphabetical (Semgrep writes sorted keys: results before tool, version last) and SARIF SDK order
    expect(await read(written(['artifacts', 'invocations', 'results', 'taxonomies', 'tool'], true))).toEqual(expected);
    expect(await read(written(['tool', 'invocations', 'results', 'artifacts', 'taxonomies'], false))).toEqual(expected);
  });

  it('a log that turns out invalid after its results still fails, naming the file', async () => {
    const base = JSON.parse(written(['tool', 'results'], false));
    const cases: Array<[string, string]> = [
      [JSON.stringify({ runs: base.runs, version: '2.0.0' }), '"version" is "2.0.0", not "2.1.0"'],
      [JSON.stringify({ runs: [{ results: [{ message: { text: 'm' } }] }], version: '2.1.0' }), 'runs[0].tool.driver is missing'],
      [JSON.stringify(base).slice(0, -3), 'not valid JSON'],
    ];
    for (const [text, problem] of cases) {
      const err = await connectorFailure(read(text));
      expect(err.message).toContain(`report.sarif is not a valid SARIF 2.1.0 log: ${problem}`);
    }
  });
});
