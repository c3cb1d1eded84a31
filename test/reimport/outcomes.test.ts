// Every reimport outcome, with exact counts, under each dedupe algorithm.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DedupeAlgorithm, HashField } from '@tributary/server/connectors/kind.ts';
import { reimport, type ReimportOptions } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, findings, notes, pagesOf, reimportDb, reimportOptions, rows } from '../support/reimport.ts';

const db = reimportDb();

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-02T00:00:00.000Z');
const T2 = new Date('2026-01-03T00:00:00.000Z');

const algorithms: Array<{ algorithm: DedupeAlgorithm; hashFields: HashField[] }> = [
  { algorithm: 'unique_id_from_tool', hashFields: ['title', 'file_path', 'line'] },
  { algorithm: 'hash_code', hashFields: ['title', 'file_path', 'line'] },
  { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'file_path', 'line'] },
];

describe.each(algorithms)('reimport with $algorithm', (dedupe) => {
  let testId: number;
  let otherTestId: number;
  const opts = (over: Partial<ReimportOptions> = {}) => reimportOptions(testId, { dedupe, now: T0, ...over });

  beforeAll(async () => { [testId, otherTestId] = await createTests(db.pool, 2); });

  it('creates every finding of a first import, with SLA dates from its severity', async () => {
    const page1 = [finding(0, { severity: 'CRITICAL' }), finding(1, { severity: 'MEDIUM' }), finding(2, { severity: 'LOW' })];
    const page2 = [finding(3, { severity: 'INFO' }), finding(4), finding(5), finding(6), finding(7), finding(8), finding(9)];
    const progress: number[] = [];
    const r = await reimport(db.pool, opts({ onProgress: (n) => { progress.push(n); } }), pagesOf(page1, page2));
    expect(progress).toEqual([3, 10]);
    expect(r.newIds).toHaveLength(10);
    expect([r.closedIds, r.reactivatedIds, r.untouchedIds, r.updatedIds, r.rejected]).toEqual([[], [], [], [], []]);
    const all = await rows(db.pool, testId);
    expect(all.map((f) => f.id)).toEqual(r.newIds);
    expect(all.map((f) => f.title)).toEqual(findings(0, 10).map((f) => f.title));
    expect(all.every((f) => f.active && !f.isMitigated && f.lastStatusUpdate?.getTime() === T0.getTime())).toBe(true);
    const days = (f: (typeof all)[number]) => f.slaExpirationDate && (f.slaExpirationDate.getTime() - T0.getTime()) / 86_400_000;
    expect(all.slice(0, 5).map(days)).toEqual([7, 90, 120, null, 30]);
    expect(all[0]!.slaStartDate).toEqual(T0);
    const imports = await db.pool.query(`SELECT "newIds", "closedIds", "untouchedIds", "reactivatedIds", "updatedIds" FROM "TestImport" WHERE id = $1`, [r.testImportId]);
    expect(imports.rows).toEqual([{ newIds: r.newIds, closedIds: [], untouchedIds: [], reactivatedIds: [], updatedIds: [] }]);
  });

  it('leaves every finding untouched and closes nothing when the identical report comes again', async () => {
    const before = await rows(db.pool, testId);
    const r = await reimport(db.pool, opts({ now: T1 }), pagesOf(findings(0, 10)));
    expect(r.untouchedIds).toEqual(before.map((f) => f.id));
    expect([r.newIds, r.closedIds, r.reactivatedIds, r.updatedIds]).toEqual([[], [], [], []]);
    expect(await rows(db.pool, testId)).toEqual(before);
  });

  it('closes what is absent, creates what is new, and leaves other tests alone', async () => {
    const other = await reimport(db.pool, opts({ testId: otherTestId }), pagesOf(findings(0, 10)));
    const before = await rows(db.pool, testId);
    // 0–7 stay, 8 and 9 disappear, 10 and 11 are new
    const r = await reimport(db.pool, opts({ now: T1 }), pagesOf(findings(0, 8), findings(10, 12)));
    expect(r.untouchedIds).toEqual(before.slice(0, 8).map((f) => f.id));
    expect(r.closedIds).toEqual(before.slice(8).map((f) => f.id));
    expect(r.newIds).toHaveLength(2);
    const closed = (await rows(db.pool, testId)).filter((f) => r.closedIds.includes(f.id));
    expect(closed.map((f) => [f.active, f.isMitigated, f.mitigatedAt, f.lastStatusUpdate])).toEqual([[false, true, T1, T1], [false, true, T1, T1]]);
    expect(await notes(db.pool, r.closedIds[0]!)).toEqual(['Mitigated by SARIF re-upload.']);
    const otherRows = await rows(db.pool, otherTestId);
    expect(otherRows.map((f) => f.id)).toEqual(other.newIds);
    expect(otherRows.every((f) => f.active && !f.isMitigated)).toBe(true);
  });

  it('records the outcome on a TestImport row tied to the operation that ran it', async () => {
    const c = await db.pool.query<{ id: number }>(
      `INSERT INTO "Connector" (name, kind, "updatedAt") VALUES ($1, 'sarif-directory', now()) RETURNING id`, [`c ${testId}`]);
    const op = await db.pool.query<{ id: number }>(
      `INSERT INTO "Operation" ("connectorId", type, trigger) VALUES ($1, 'SYNC', 'MANUAL') RETURNING id`, [c.rows[0]!.id]);
    const r = await reimport(db.pool, opts({ now: T1, operationId: op.rows[0]!.id }), pagesOf(findings(0, 8), findings(10, 12)));
    const imp = await db.pool.query(`SELECT "testId", "operationId", "createdAt", "newIds", "closedIds", "untouchedIds", "reactivatedIds" FROM "TestImport" WHERE id = $1`, [r.testImportId]);
    expect(imp.rows).toEqual([{ testId, operationId: op.rows[0]!.id, createdAt: T1, newIds: [], closedIds: [], untouchedIds: r.untouchedIds, reactivatedIds: [] }]);
    expect(r.untouchedIds).toHaveLength(10);
  });

  it('reactivates a mitigated finding the tool reports again, with a note', async () => {
    const before = await rows(db.pool, testId);
    const closed = before.filter((f) => f.isMitigated).map((f) => f.id);
    const r = await reimport(db.pool, opts({ now: T2 }), pagesOf(findings(0, 12)));
    expect(r.reactivatedIds).toEqual(closed);
    expect(r.untouchedIds).toHaveLength(10);
    expect([r.newIds, r.closedIds, r.updatedIds]).toEqual([[], [], []]);
    const back = (await rows(db.pool, testId)).filter((f) => closed.includes(f.id));
    expect(back.map((f) => [f.active, f.isMitigated, f.mitigatedAt, f.lastStatusUpdate])).toEqual([[true, false, null, T2], [true, false, null, T2]]);
    expect(await notes(db.pool, closed[0]!)).toEqual(['Mitigated by SARIF re-upload.', 'Re-activated by SARIF re-upload.']);
  });

  it('carries vendor-side false positive, acceptance, scope and fixes over as updates', async () => {
    const before = await rows(db.pool, testId);
    const fixedAt = new Date('2025-12-24T10:00:00.000Z');
    const report = findings(0, 12);
    report[0] = finding(0, { falsePositive: true });
    report[1] = finding(1, { riskAccepted: true });
    report[2] = finding(2, { outOfScope: true });
    report[3] = finding(3, { mitigated: true, mitigatedAt: fixedAt });
    report[4] = finding(4, { mitigated: true });
    const r = await reimport(db.pool, opts({ now: T2 }), pagesOf(report));
    expect(r.updatedIds).toEqual(before.slice(0, 5).map((f) => f.id));
    const recorded = await db.pool.query(`SELECT "updatedIds", "untouchedIds" FROM "TestImport" WHERE id = $1`, [r.testImportId]);
    expect(recorded.rows).toEqual([{ updatedIds: r.updatedIds, untouchedIds: r.untouchedIds }]);
    expect(r.untouchedIds).toEqual(before.slice(5).map((f) => f.id));
    expect([r.newIds, r.closedIds, r.reactivatedIds]).toEqual([[], [], []]);
    const after = await rows(db.pool, testId);
    expect(after.slice(0, 5).map((f) => [f.active, f.falsePositive, f.riskAccepted, f.outOfScope, f.isMitigated, f.mitigatedAt])).toEqual([
      [false, true, false, false, false, null],
      [false, false, true, false, false, null],
      [false, false, false, true, false, null],
      [false, false, false, false, true, fixedAt],
      [false, false, false, false, true, T2],
    ]);
    // the same report again: nothing left to carry over
    const again = await reimport(db.pool, opts({ now: T2 }), pagesOf(report));
    expect(again.untouchedIds).toEqual(before.map((f) => f.id));
    expect([again.updatedIds, again.newIds, again.closedIds, again.reactivatedIds]).toEqual([[], [], [], []]);
  });
});
