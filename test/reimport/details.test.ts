// The fields analysts asked for (kind.ts: CVSS v3/v4, EPSS, KEV, every CWE, end line, tool, code
// classification, the tool's dismissal) are written on a first import and on a re-sync's new findings,
// rewritten on matched findings when the tool changes them, and not shipped at all when it does not.
import { beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, pagesOf, reimportDb, reimportOptions, statementsOf } from '../support/reimport.ts';

const db = reimportDb();
const T0 = new Date('2026-01-01T00:00:00.000Z');

const DETAILS: Partial<NormalizedFinding> = {
  cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  cvssV4Score: 9.3, cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
  epssScore: 0.97, epssPercentile: 0.999, knownExploited: true, fixVersion: '2.17.1', fixAvailable: true,
  vendorUrl: 'https://tool.example/findings/1', cwe: 502, cwes: [502, 400, 'CWE-20'] as unknown as number[],
  line: 10, endLine: 14, toolName: 'CodeQL', toolVersion: '2.20.1',
  vulnerabilityIds: ['cve-2021-44228', 'GHSA-JFH8-C2JP-5V3Q'],
};

async function detailRows(testId: number) {
  const r = await db.pool.query(`SELECT title, active, "falsePositive", "riskAccepted", "cvssScore", "cvssVector", "cvssV4Score", "cvssV4Vector",
    "epssScore", "epssPercentile", "knownExploited", "fixVersion", "vendorUrl", cwe, cwes, line, "endLine", "toolName", "toolVersion",
    "codeClassification", "outOfScope", "dismissedInTool", "dismissedBy", "dismissedAt", "dismissedReason", "vulnerabilityIds"
    FROM "Finding" WHERE "testId" = $1 ORDER BY id`, [testId]);
  return r.rows;
}

describe.each(['first import', 're-sync'] as const)('analyst fields on a %s', (path) => {
  let testId: number;
  beforeAll(async () => {
    [testId] = await createTests(db.pool, 1);
    // a re-sync creates through the staged path: the test already holds a finding
    if (path === 're-sync') await reimport(db.pool, reimportOptions(testId!, { now: T0 }), pagesOf([finding(99)]));
  });

  it('stores each field, every CWE in order and vulnerability ids in their canonical form', async () => {
    await reimport(db.pool, reimportOptions(testId, { now: T0 }), pagesOf([finding(99), finding(1, DETAILS)]));
    const row = (await detailRows(testId)).find((r) => r.title === finding(1).title);
    expect(row).toMatchObject({
      active: true, cvssScore: 9.8, cvssVector: DETAILS.cvssVector, cvssV4Score: 9.3, cvssV4Vector: DETAILS.cvssV4Vector,
      epssScore: 0.97, epssPercentile: 0.999, knownExploited: true, fixVersion: '2.17.1', vendorUrl: 'https://tool.example/findings/1',
      cwe: 502, cwes: [502, 400, 20], line: 10, endLine: 14, toolName: 'CodeQL', toolVersion: '2.20.1', dismissedInTool: false,
      vulnerabilityIds: ['CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q'],
    });
  });
});

describe('a re-sync of analyst fields', () => {
  let testId: number;
  beforeAll(async () => { [testId] = await createTests(db.pool, 1); });
  const sync = (...page: NormalizedFinding[]) => reimport(db.pool, reimportOptions(testId, { now: T0 }), pagesOf(page));

  it('rewrites them when the tool changes them, and ships nothing when it does not', async () => {
    await sync(finding(1, DETAILS), finding(2));
    const identical = await statementsOf(() => sync(finding(1, DETAILS), finding(2)));
    expect(identical.filter((s) => s.startsWith('INSERT INTO reimport_content'))).toEqual([]);

    const changed = { ...DETAILS, epssScore: 0.5, epssPercentile: 0.8, knownExploited: false, cwes: [502], toolVersion: '2.21.0', cvssV4Score: null };
    const r = await sync(finding(1, changed), finding(2));
    expect(r.untouchedIds).toHaveLength(2);
    const [one] = await detailRows(testId);
    expect(one).toMatchObject({ epssScore: 0.5, epssPercentile: 0.8, knownExploited: false, cwes: [502], toolVersion: '2.21.0', cvssV4Score: null, active: true });
  });

  it('deactivates a finding dismissed in the tool without claiming a risk acceptance, with who, when and why, and reopens it when the tool withdraws the dismissal', async () => {
    const dismissal: Partial<NormalizedFinding> = { dismissed: true, dismissedBy: 'alice', dismissedAt: new Date('2026-01-05T10:00:00Z'), dismissedReason: 'Only reachable from the admin console.' };
    const r = await sync(finding(1, DETAILS), finding(2, dismissal));
    expect(r.updatedIds).toHaveLength(1);
    const two = (await detailRows(testId))[1];
    expect(two).toMatchObject({ active: false, riskAccepted: false, falsePositive: false, dismissedInTool: true, dismissedBy: 'alice',
      dismissedAt: new Date('2026-01-05T10:00:00Z'), dismissedReason: 'Only reachable from the admin console.' });

    const again = await sync(finding(1, DETAILS), finding(2, dismissal));
    expect(again.untouchedIds).toHaveLength(2);

    const undone = await sync(finding(1, DETAILS), finding(2));
    expect(undone.reactivatedIds).toHaveLength(1);
    expect((await detailRows(testId))[1]).toMatchObject({ active: true, dismissedInTool: false, dismissedBy: null, dismissedReason: null });
  });

  it('creates a finding the tool already dismissed as inactive', async () => {
    const [other] = await createTests(db.pool, 1);
    await reimport(db.pool, reimportOptions(other!, { now: T0 }), pagesOf([finding(3, { dismissed: true, dismissedReason: 'noise' })]));
    expect((await detailRows(other!))[0]).toMatchObject({ active: false, riskAccepted: false, dismissedInTool: true, dismissedReason: 'noise' });
  });
});
