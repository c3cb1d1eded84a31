// An unchanged report onto unchanged findings is recorded without reading the report
// (operations/report-unchanged.ts), with exactly the outcome a full reimport would have had.
import { describe, expect, it } from 'vitest';
import type { NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, findings, pagesOf, reimportDb, reimportOptions, rows } from '../support/reimport.ts';

const db = reimportDb();

/** pages that fail the test if anything reads them */
async function* unread(): AsyncIterable<NormalizedFinding[]> {
  throw new Error('the report was read');
}

// 5 findings: one the tool reports fixed, one false positive; a repeat and one rejected (a severity no one knows)
const report = () => [...findings(0, 3), finding(3, { mitigated: true }), finding(4, { falsePositive: true }), finding(0),
  finding(5, { severity: 'URGENT' as never })];
const fingerprint = (value: string | null) => () => Promise.resolve(value);

async function importsOf(testId: number) {
  return (await db.pool.query(`SELECT "newIds", "untouchedIds", "closedIds", "reactivatedIds", "updatedIds", "rejectedCount", rejections,
    "reportFingerprint" IS NOT NULL AS fingerprinted FROM "TestImport" WHERE "testId" = $1 ORDER BY id`, [testId])).rows;
}

describe('an unchanged report', () => {
  it('is recorded without being read, as a full reimport would record it', async () => {
    const [testId, control] = await createTests(db.pool, 2);
    const first = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(report()));
    await reimport(db.pool, reimportOptions(control!), pagesOf(report()));
    const before = await rows(db.pool, testId!);

    const again = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), unread());
    expect(again.reportUnchanged).toBe(true);
    expect(again.untouchedIds).toEqual(first.newIds);
    expect(await rows(db.pool, testId!)).toEqual(before);

    // the same report read in full onto the control test: the same outcome, the same rejections
    const full = await reimport(db.pool, reimportOptions(control!), pagesOf(report()));
    expect(full.reportUnchanged).toBe(false);
    const [mine, theirs] = [(await importsOf(testId!))[1], (await importsOf(control!))[1]];
    const offset = first.newIds[0]! - (await rows(db.pool, control!))[0]!.id;
    expect({ ...mine, untouchedIds: mine.untouchedIds.map((id: number) => id - offset), fingerprinted: false }).toEqual(theirs);
    expect(mine.rejectedCount).toBe(1);
  });

  it('is read again when a person changed a finding since, and the change is undone as a full reimport would', async () => {
    const [testId] = await createTests(db.pool);
    const first = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(findings(0, 3)));
    await db.pool.query(`UPDATE "Finding" SET active = false, "isMitigated" = true, "mitigatedAt" = now() WHERE id = $1`, [first.newIds[1]]);
    const again = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(findings(0, 3)));
    expect([again.reportUnchanged, again.reactivatedIds]).toEqual([false, [first.newIds[1]]]);
    // and now that nothing changed since that import, the next one is recorded without reading
    expect((await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), unread())).reportUnchanged).toBe(true);
  });

  it('is read again when a finding was added or deleted by hand', async () => {
    const [testId] = await createTests(db.pool);
    const first = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(findings(0, 3)));
    await db.pool.query(`DELETE FROM "Finding" WHERE id = $1`, [first.newIds[2]]);
    const recreated = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(findings(0, 3)));
    expect([recreated.reportUnchanged, recreated.newIds.length]).toEqual([false, 1]);
    await db.pool.query(`INSERT INTO "Finding" ("testId", title, description, severity, "hashCode", "updatedAt")
      VALUES ($1, 'by hand', '', 'LOW', 'by-hand', now())`, [testId]);
    const closed = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(findings(0, 3)));
    expect([closed.reportUnchanged, closed.closedIds.length]).toEqual([false, 1]);
  });

  it('is read again under other settings, for another report, or when the last import was of another report', async () => {
    const [testId] = await createTests(db.pool);
    const r = () => [finding(0, { severity: 'LOW' }), finding(1)];
    await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1') }), pagesOf(r()));
    const raised = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r1'), minimumSeverity: 'HIGH' }), pagesOf(r()));
    expect([raised.reportUnchanged, raised.closedIds.length]).toEqual([false, 1]);
    const other = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r2'), minimumSeverity: 'HIGH' }), pagesOf([finding(1)]));
    expect(other.reportUnchanged).toBe(false);
    for (const over of [{ doNotReactivate: true }, { scanType: 'Other' }, { dedupe: { algorithm: 'hash_code' as const, hashFields: ['title' as const] } }]) {
      const read = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('r2'), minimumSeverity: 'HIGH', ...over }), pagesOf([finding(1)]));
      expect(read.reportUnchanged).toBe(false);
    }
  });

  it('is never recorded from an import whose report changed while it was read, or that had no fingerprint', async () => {
    const [testId] = await createTests(db.pool);
    let calls = 0;
    const moving = () => Promise.resolve(++calls === 1 ? 'before' : 'after');
    await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: moving }), pagesOf(findings(0, 2)));
    expect((await importsOf(testId!)).map((i) => i.fingerprinted)).toEqual([false]);
    const read = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint('before') }), pagesOf(findings(0, 2)));
    expect(read.reportUnchanged).toBe(false);
    await reimport(db.pool, reimportOptions(testId!), pagesOf(findings(0, 2)));
    const unknown = await reimport(db.pool, reimportOptions(testId!, { reportFingerprint: fingerprint(null) }), pagesOf(findings(0, 2)));
    expect(unknown.reportUnchanged).toBe(false);
    expect((await importsOf(testId!)).map((i) => i.fingerprinted)).toEqual([false, true, false, false]);
  });
});
