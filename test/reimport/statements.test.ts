// The bulk path's promise: statements per page do not grow with the page. Every statement reimport
// sends is captured at the pg client, so a per-finding statement would show up as a count that
// follows the page size.
import { describe, expect, it } from 'vitest';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { createTests, findings, pagesOf, reimportDb, reimportOptions, statementsOf } from '../support/reimport.ts';

const db = reimportDb();

describe.each(['unique_id_from_tool', 'hash_code', 'unique_id_from_tool_or_hash_code'] as const)('statements sent with %s', (algorithm) => {
  const options = (testId: number) => reimportOptions(testId, { dedupe: { algorithm, hashFields: ['title', 'line'] } });

  it('are the same for one page of 100 findings and one page of 5,000, first import and re-sync alike', async () => {
    const [small, large] = await createTests(db.pool, 2);
    const firstSmall = await statementsOf(() => reimport(db.pool, options(small!), pagesOf(findings(0, 100))));
    const firstLarge = await statementsOf(() => reimport(db.pool, options(large!), pagesOf(findings(0, 5000))));
    expect(firstLarge).toEqual(firstSmall);
    // into an empty test the findings are created as they stream (COPY, INSERT, TRUNCATE per chunk), and
    // repeats within the report removed by one statement: no staging, no plan
    expect(firstSmall).toHaveLength(11);

    // a re-sync with 10% gone and 10% new: matched findings need no content COPY
    const againSmall = await statementsOf(() => reimport(db.pool, options(small!), pagesOf(findings(10, 110))));
    const againLarge = await statementsOf(() => reimport(db.pool, options(large!), pagesOf(findings(500, 5500))));
    expect(againLarge).toEqual(againSmall);
    expect(againSmall).toHaveLength(21);
    expect(againSmall.filter((s) => s.startsWith('COPY'))).toEqual(['COPY reimport_incoming (ord,', 'COPY reimport_content (ord,']);

    const identical = await statementsOf(() => reimport(db.pool, options(large!), pagesOf(findings(500, 5500))));
    expect(identical).toHaveLength(20);
    expect(identical.filter((s) => s.startsWith('COPY'))).toEqual(['COPY reimport_incoming (ord,']);
  });
});
