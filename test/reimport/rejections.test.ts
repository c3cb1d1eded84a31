// Rejected findings are kept on their TestImport row, counted in full with the first reasons, and
// whatever text the bad input carried, the row is still written (jsonb refuses NUL and lone surrogates).
import { expect, it } from 'vitest';
import { reimport, REJECTIONS_KEPT } from '@tributary/server/operations/reimport.ts';
import { createTests, finding, pagesOf, reimportDb, reimportOptions } from '../support/reimport.ts';

const db = reimportDb();

it('stores the count and the first reasons with the service each finding named', async () => {
  const [testId] = await createTests(db.pool);
  // 79 emoji: the reason's 80-character cut falls inside a surrogate pair
  const bad = Array.from({ length: REJECTIONS_KEPT + 5 }, (_, i) => finding(i + 1, { severity: '😀'.repeat(79) as never, service: `svc\u0000${i}\uD800` }));
  const r = await reimport(db.pool, reimportOptions(testId!, { dedupe: { algorithm: 'hash_code', hashFields: ['title'] } }), pagesOf([finding(0), ...bad]));
  expect([r.newIds.length, r.rejected.length]).toEqual([1, REJECTIONS_KEPT + 5]);
  const [row] = (await db.pool.query('SELECT "rejectedCount", rejections FROM "TestImport" WHERE id = $1', [r.testImportId])).rows;
  expect(row.rejectedCount).toBe(REJECTIONS_KEPT + 5);
  expect(row.rejections).toHaveLength(REJECTIONS_KEPT);
  expect(row.rejections[0]).toEqual({ index: 1, service: 'svc0\uFFFD', reason: `unknown severity "${'😀'.repeat(39)}\uFFFD` });
});
