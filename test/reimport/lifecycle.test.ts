// Minimum severity, doNotReactivate and local triage across successive reimports of one test.
import { describe, expect, it } from 'vitest';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, notes, pagesOf, reimportDb, reimportOptions, rows } from '../support/reimport.ts';

const db = reimportDb();

const SKIPPED = 'Finding has skipped reactivation from SARIF re-upload with user decision do_not_reactivate.';

// one finding of each severity, critical first
const report = () => [finding(0, { severity: 'CRITICAL' }), finding(1, { severity: 'HIGH' }), finding(2, { severity: 'MEDIUM' }),
  finding(3, { severity: 'LOW' }), finding(4, { severity: 'INFO' })];

describe('minimum severity', () => {
  it('skips findings below it, closes existing ones below it when raised and brings them back when lowered', async () => {
    const [testId] = await createTests(db.pool);
    const first = await reimport(db.pool, reimportOptions(testId!, { minimumSeverity: 'MEDIUM' }), pagesOf(report()));
    expect([first.newIds.length, first.belowMinimum]).toEqual([3, 2]);

    const all = await reimport(db.pool, reimportOptions(testId!, { minimumSeverity: 'INFO' }), pagesOf(report()));
    expect([all.newIds.length, all.untouchedIds]).toEqual([2, first.newIds]);
    const ids = (await rows(db.pool, testId!)).map((f) => f.id);

    const raised = await reimport(db.pool, reimportOptions(testId!, { minimumSeverity: 'HIGH' }), pagesOf(report()));
    expect([raised.closedIds, raised.untouchedIds, raised.belowMinimum]).toEqual([[ids[2], ids[3], ids[4]], [ids[0], ids[1]], 3]);
    expect((await rows(db.pool, testId!)).map((f) => f.active)).toEqual([true, true, false, false, false]);

    const lowered = await reimport(db.pool, reimportOptions(testId!, { minimumSeverity: 'LOW' }), pagesOf(report()));
    expect([lowered.reactivatedIds, lowered.closedIds, lowered.untouchedIds]).toEqual([[ids[2], ids[3]], [], [ids[0], ids[1]]]);
    expect((await rows(db.pool, testId!)).map((f) => [f.active, f.isMitigated])).toEqual(
      [[true, false], [true, false], [true, false], [true, false], [false, true]]);
    expect(await db.pool.query(`SELECT count(*)::int AS n FROM "Finding" WHERE "testId" = $1`, [testId])).toMatchObject({ rows: [{ n: 5 }] });
  });
});

describe('doNotReactivate', () => {
  it('keeps a mitigated finding closed, noting it once however often it comes back; off reactivates it', async () => {
    const [testId] = await createTests(db.pool);
    const created = await reimport(db.pool, reimportOptions(testId!), pagesOf(report()));
    const gone = created.newIds[4]!;
    expect((await reimport(db.pool, reimportOptions(testId!), pagesOf(report().slice(0, 4)))).closedIds).toEqual([gone]);

    for (let i = 0; i < 2; i++) {
      const kept = await reimport(db.pool, reimportOptions(testId!, { doNotReactivate: true }), pagesOf(report()));
      expect([kept.reactivatedIds, kept.closedIds, kept.untouchedIds]).toEqual([[], [], created.newIds]);
    }
    const closed = (await rows(db.pool, testId!)).find((f) => f.id === gone)!;
    expect([closed.active, closed.isMitigated]).toEqual([false, true]);
    expect(await notes(db.pool, gone)).toEqual(['Mitigated by SARIF re-upload.', SKIPPED]);

    const back = await reimport(db.pool, reimportOptions(testId!, { doNotReactivate: false }), pagesOf(report()));
    expect(back.reactivatedIds).toEqual([gone]);
    expect(await notes(db.pool, gone)).toEqual(['Mitigated by SARIF re-upload.', SKIPPED, 'Re-activated by SARIF re-upload.']);
  });
});

describe('local triage', () => {
  it('survives a tool that does not know it, and a risk accepted inactive finding is never touched', async () => {
    const [testId] = await createTests(db.pool);
    const created = await reimport(db.pool, reimportOptions(testId!), pagesOf(report()));
    const [fp, accepted] = created.newIds;
    await db.pool.query(`UPDATE "Finding" SET "falsePositive" = true, active = false WHERE id = $1`, [fp]);
    await db.pool.query(`UPDATE "Finding" SET "riskAccepted" = true, active = false WHERE id = $1`, [accepted]);

    const next = report();
    next[1] = finding(1, { severity: 'HIGH', mitigated: true, falsePositive: true });
    const r = await reimport(db.pool, reimportOptions(testId!), pagesOf(next));
    expect([r.updatedIds, r.untouchedIds.length, r.closedIds]).toEqual([[], 5, []]);
    const after = await rows(db.pool, testId!);
    expect(after.slice(0, 2).map((f) => [f.active, f.falsePositive, f.riskAccepted, f.isMitigated])).toEqual([
      [false, true, false, false],
      [false, false, true, false],
    ]);
  });

  it('copies the tool fix and component backfill onto a matched finding without counting it as a change', async () => {
    const [testId] = await createTests(db.pool);
    const created = await reimport(db.pool, reimportOptions(testId!), pagesOf([finding(0, { componentName: null })]));
    const r = await reimport(db.pool, reimportOptions(testId!), pagesOf([finding(0, { componentName: 'lodash', componentVersion: '4.17.20', fixAvailable: true, fixVersion: '4.17.21' })]));
    expect([r.untouchedIds, r.updatedIds]).toEqual([created.newIds, []]);
    const [f] = await rows(db.pool, testId!);
    expect([f!.componentName, f!.componentVersion, f!.fixAvailable, f!.fixVersion]).toEqual(['lodash', '4.17.20', true, '4.17.21']);
  });
});
