// Writes a realistic SARIF 2.1.0 report for the sync benchmark: 300 rules (CWE tags, a
// security-severity spread like CodeQL's), 4,000 files, fingerprints on most results and
// partialFingerprints or nothing on the rest. Result n is the same in every report, so two reports
// sharing a range of n share exactly those findings.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const RULES = 300;
// per 20 rules: 1 critical, 4 high, 9 medium, 5 low, 1 info (security-severity, GitHub's thresholds)
const SEVERITY_SCORES = [9.8, 8.1, 7.5, 7.5, 7.2, 6.5, 6.1, 5.5, 5.3, 5.0, 4.8, 4.3, 4.3, 4.0, 3.7, 3.1, 2.5, 2.0, 1.0, 0];

function rule(k: number) {
  const cwe = [79, 89, 22, 78, 352, 502, 611, 798, 918, 20][k % 10];
  return {
    id: `js/rule-${k}`,
    name: `Rule${k}`,
    shortDescription: { text: `Rule ${k}: untrusted data reaches a sensitive sink (${cwe})` },
    fullDescription: { text: `Data that an attacker controls flows into an operation of kind ${k % 17} without validation. `.repeat(3) },
    helpUri: `https://example.com/rules/${k}`,
    properties: { tags: ['security', `external/cwe/cwe-${String(cwe).padStart(3, '0')}`], 'security-severity': String(SEVERITY_SCORES[k % 20]) },
  };
}

function result(n: number) {
  const k = (n * 2654435761) % RULES;
  const file = `src/module${n % 800}/file${(n * 7) % 4000}.ts`;
  const r: Record<string, unknown> = {
    ruleId: `js/rule-${k}`,
    ruleIndex: k,
    message: { text: `Finding ${n}: value from request parameter "p${n % 50}" reaches sink call at column ${(n % 80) + 1}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: ((n * 13) % 2000) + 1, startColumn: (n % 80) + 1 } } }],
  };
  if (n % 20 < 17) r.fingerprints = { 'primaryLocationLineHash/v1': `${(n * 2246822519 >>> 0).toString(16)}:${n}` };
  else if (n % 20 < 19) r.partialFingerprints = { primaryLocationLineHash: `p${n.toString(16)}:1` };
  return r;
}

/** Writes results n ∈ [from, to) as one run, streaming so the writer never holds the report. */
export async function writeSarifReport(file: string, ranges: Array<[number, number]>): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => { if (!out.write(s)) await once(out, 'drain'); };
  const rules = Array.from({ length: RULES }, (_, k) => rule(k));
  await write(`{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"BenchQL","rules":${JSON.stringify(rules)}}},`);
  await write(`"invocations":[{"executionSuccessful":true,"startTimeUtc":"2026-01-01T00:00:00Z"}],"results":[`);
  let first = true;
  for (const [from, to] of ranges) {
    for (let n = from; n < to; n++) {
      await write((first ? '' : ',') + JSON.stringify(result(n)));
      first = false;
    }
  }
  await write(']}]}');
  out.end();
  await once(out, 'finish');
}
