// A finding's details: what the tool and analysts filled in, formatted; nothing for what is empty.
import { describe, expect, it } from 'vitest';
import { detailRows, formatLocation, formatProbability, type FindingDetail } from './findingDetail';

describe('finding details', () => {
  it('formats locations, probabilities and the analyst fields, leaving empty ones out', () => {
    expect(formatLocation('src/a.ts', 3, 9)).toBe('src/a.ts:3–9');
    expect(formatLocation('src/a.ts', 3, 3)).toBe('src/a.ts:3');
    expect(formatLocation(null, 3)).toBeNull();
    expect(formatProbability(0.97)).toBe('97%');
    expect(formatProbability(0.0412)).toBe('4.1%');
    expect(formatProbability(0.00042)).toBe('0.04%');

    const rows = detailRows({
      filePath: 'src/db.ts', line: 10, endLine: 12, cwe: 89, cwes: [89, 564], cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N', cvssV4Score: 9.3, cvssV4Vector: null,
      epssScore: 0.5, epssPercentile: 0.991, knownExploited: true, fixAvailable: true, fixVersion: '2.0.1', toolName: 'CodeQL', toolVersion: '2.19',
      dismissedInTool: true, dismissedBy: 'bob', dismissedAt: null, dismissedReason: 'used in tests', vulnerabilityIds: [], componentName: null,
    } as unknown as FindingDetail);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['Tool', 'CodeQL 2.19'], ['Location', 'src/db.ts:10–12'], ['CWE', 'CWE-89'], ['Also CWE', 'CWE-564'],
      ['CVSS v3', '9.8 · CVSS:3.1/AV:N'], ['CVSS v4', '9.3'], ['EPSS', '50% · percentile 99%'], ['Known exploited', 'Yes (listed as exploited in the wild)'],
      ['Fix', 'Available in 2.0.1'], ['Dismissed in tool', 'by bob · used in tests'],
    ]);
    expect(rows.find((r) => r.label === 'CWE')?.href).toBe('https://cwe.mitre.org/data/definitions/89.html');
  });
});
