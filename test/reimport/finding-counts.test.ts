// The per-test finding counters ("FindingCount", kept by statement-level triggers) stay exactly equal
// to count(*) over "Finding" through every way findings change: reimport (new, closed, reactivated,
// severity carried over), status edits, deletes and the cascades from Test, Engagement and Product.
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, findings, pagesOf, reimportDb, reimportOptions } from '../support/reimport.ts';

const db = reimportDb();

/** the counters (zeros dropped) and the real counts, both keyed "test severity active" */
async function countersAndTruth(pool: pg.Pool): Promise<[Record<string, number>, Record<string, number>]> {
  const counters = await pool.query(`SELECT "testId", severity, active, count FROM "FindingCount" WHERE count <> 0`);
  const truth = await pool.query(`SELECT "testId", severity, active, count(*)::int AS count FROM "Finding" GROUP BY 1, 2, 3`);
  const keyed = (rows: Array<{ testId: number; severity: string; active: boolean; count: number }>) =>
    Object.fromEntries(rows.map((r) => [`${r.testId} ${r.severity} ${r.active}`, r.count]));
  return [keyed(counters.rows), keyed(truth.rows)];
}

async function expectExact(pool: pg.Pool) {
  const [counters, truth] = await countersAndTruth(pool);
  expect(counters).toEqual(truth);
  // and no counter went negative or points at a test that is gone
  const bad = await pool.query(`SELECT c.* FROM "FindingCount" c LEFT JOIN "Test" t ON t.id = c."testId" WHERE c.count < 0 OR t.id IS NULL`);
  expect(bad.rows).toEqual([]);
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
const mixed = (from: number, to: number) => findings(from, to).map((f, i) => ({ ...f, severity: SEVERITIES[(from + i) % 5]! }));

describe('finding counters', () => {
  it('count a first import, closes, new findings and reactivations exactly', async () => {
    const [testId, otherId] = await createTests(db.pool, 2);
    const opts = reimportOptions(testId!);
    const first = await reimport(db.pool, opts, pagesOf(mixed(0, 300), mixed(300, 500)));
    expect(first.newIds).toHaveLength(500);
    await reimport(db.pool, reimportOptions(otherId!), pagesOf(mixed(0, 50)));
    await expectExact(db.pool);

    // 100 gone (closed), 50 new
    const churn = await reimport(db.pool, opts, pagesOf(mixed(100, 550)));
    expect([churn.closedIds.length, churn.newIds.length]).toEqual([100, 50]);
    await expectExact(db.pool);
    const closed = await db.pool.query(`SELECT count FROM "FindingCount" WHERE "testId" = $1 AND NOT active`, [testId]);
    expect(closed.rows.reduce((n, r) => n + r.count, 0)).toBe(100);

    // the closed ones come back: reactivated
    const back = await reimport(db.pool, opts, pagesOf(mixed(0, 550)));
    expect(back.reactivatedIds).toHaveLength(100);
    await expectExact(db.pool);

    // the tool now rates every finding CRITICAL: severities move between counters
    await reimport(db.pool, opts, pagesOf(findings(0, 550, { severity: 'CRITICAL' })));
    await expectExact(db.pool);

    // an empty but complete report closes everything; doNotReactivate keeps them closed
    const none = await reimport(db.pool, opts, pagesOf([]));
    expect(none.closedIds).toHaveLength(550);
    await reimport(db.pool, { ...opts, doNotReactivate: true }, pagesOf(mixed(0, 10)));
    await expectExact(db.pool);
  });

  it('follow status edits, moves and deletes made with plain SQL', async () => {
    const [a, b] = await createTests(db.pool, 2);
    await reimport(db.pool, reimportOptions(a!), pagesOf(mixed(0, 200)));
    await db.pool.query(`UPDATE "Finding" SET active = false, "falsePositive" = true WHERE "testId" = $1 AND id % 3 = 0`, [a]);
    await expectExact(db.pool);
    await db.pool.query(`UPDATE "Finding" SET severity = 'LOW' WHERE "testId" = $1 AND id % 4 = 0`, [a]);
    await db.pool.query(`UPDATE "Finding" SET "testId" = $2 WHERE "testId" = $1 AND id % 5 = 0`, [a, b]);
    // an update that changes no counted column writes no counter
    await db.pool.query(`UPDATE "Finding" SET title = title || '!' WHERE "testId" = $1`, [a]);
    await expectExact(db.pool);
    await db.pool.query(`DELETE FROM "Finding" WHERE "testId" = $1 AND id % 2 = 0`, [a]);
    await expectExact(db.pool);
    // several statements in one transaction, one of them rolled back
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO "Finding" ("testId", title, severity) SELECT $1, 'manual ' || g, 'INFO' FROM generate_series(1, 30) g`, [b]);
      await c.query('SAVEPOINT s');
      await c.query(`DELETE FROM "Finding" WHERE "testId" = $1`, [b]);
      await c.query('ROLLBACK TO SAVEPOINT s');
      await c.query('COMMIT');
    } finally { c.release(); }
    await expectExact(db.pool);
  });

  it('lose a deleted test, engagement or product with its findings', async () => {
    const tests = await createTests(db.pool, 3);
    for (const id of tests) await reimport(db.pool, reimportOptions(id), pagesOf(mixed(0, 40), [finding(999, { severity: 'CRITICAL' })]));
    await db.pool.query(`DELETE FROM "Test" WHERE id = $1`, [tests[0]]);
    await expectExact(db.pool);
    const [{ engagementId }] = (await db.pool.query(`SELECT "engagementId" FROM "Test" WHERE id = $1`, [tests[1]])).rows;
    const [{ productId }] = (await db.pool.query(`SELECT "productId" FROM "Engagement" WHERE id = $1`, [engagementId])).rows;
    // a second engagement of the same product, so the product delete cascades two levels
    const e2 = (await db.pool.query(`INSERT INTO "Engagement" ("productId", name, "updatedAt") VALUES ($1, 'Sprint', now()) RETURNING id`, [productId])).rows[0].id;
    const t2 = (await db.pool.query(`INSERT INTO "Test" ("engagementId", title, "updatedAt") VALUES ($1, 'manual', now()) RETURNING id`, [e2])).rows[0].id;
    await reimport(db.pool, reimportOptions(t2), pagesOf(mixed(0, 25)));
    await db.pool.query(`DELETE FROM "Engagement" WHERE id = $1`, [e2]);
    await expectExact(db.pool);
    await db.pool.query(`DELETE FROM "Product" WHERE id = $1`, [productId]);
    await expectExact(db.pool);
    const left = await db.pool.query(`SELECT count(*)::int AS n FROM "FindingCount" WHERE "testId" = ANY($1::int[])`, [[...tests, t2]]);
    expect(left.rows[0].n).toBe(0);
  });

  it('stay exact when two transactions change the same test at once', async () => {
    const [testId] = await createTests(db.pool, 1);
    await reimport(db.pool, reimportOptions(testId!), pagesOf(mixed(0, 100)));
    const write = async (sql: string) => {
      const c = await db.pool.connect();
      try { await c.query('BEGIN'); await c.query(sql, [testId]); await c.query('SELECT pg_sleep(0.05)'); await c.query('COMMIT'); } finally { c.release(); }
    };
    await Promise.all([
      write(`UPDATE "Finding" SET active = false WHERE "testId" = $1 AND id % 2 = 0`),
      write(`INSERT INTO "Finding" ("testId", title, severity) SELECT $1, 'x' || g, 'HIGH' FROM generate_series(1, 20) g`),
      write(`DELETE FROM "Finding" WHERE "testId" = $1 AND id % 7 = 0`),
    ]);
    await expectExact(db.pool);
  });
});
