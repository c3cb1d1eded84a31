// Bad input is normalized or rejected with a reason, never a crash; a reimport is all or nothing;
// two reimports of one test never interleave.
import { describe, expect, it } from 'vitest';
import type { NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import { reimport, type ReimportOptions } from '@tributary/server/operations/reimport.ts';
import { LIMITS, UNTITLED } from '@tributary/server/operations/reimport-prepare.ts';
import { LOCKS } from '@tributary/server/locks.ts';
import { createTests, finding, findings, pagesOf, reimportDb, reimportOptions, rows, snapshot } from '../support/reimport.ts';

const db = reimportDb();


describe('bad input', () => {
  const bad = (): NormalizedFinding[] => [
    finding(0, { title: '', description: '' }),
    finding(1, { severity: 'banana' as never }),
    finding(2, { description: 'd'.repeat(5 * 1024 * 1024) }),
    finding(3, { title: 'nul\u0000 and lone \uD800 surrogate', description: 'a\u0000b' }),
    null as never,
    finding(5, { uniqueIdFromTool: 'same-uid', title: 'first of two' }),
    finding(6, { uniqueIdFromTool: 'same-uid', title: 'second of two' }),
    finding(7, { uniqueIdFromTool: null, title: 'same place' }),
    finding(7, { uniqueIdFromTool: null, title: 'same place', description: 'different words' }),
    finding(9, { severity: 'Moderate' as never }),
  ];

  it('imports what can be imported, says why the rest was not, and collapses duplicates first-wins', async () => {
    const [testId] = await createTests(db.pool);
    const r = await reimport(db.pool, reimportOptions(testId!), pagesOf(bad().slice(0, 5), bad().slice(5)));
    expect(r.rejected).toEqual([{ index: 1, reason: 'unknown severity "banana"' }, { index: 4, reason: 'not a finding object' }]);
    expect([r.newIds.length, r.collapsedDuplicates]).toEqual([6, 2]);
    const stored = await rows(db.pool, testId!);
    expect(stored.map((f) => f.title)).toEqual([UNTITLED, 'Finding 2', 'nul and lone \uFFFD surrogate', 'first of two', 'same place', 'Finding 9']);
    expect(stored[1]!.description).toHaveLength(LIMITS.longText);
    expect(stored[2]!.description).toBe('ab');
    expect(stored[4]!.description).toBe('Description of finding 7');
    expect(stored[5]!.severity).toBe('MEDIUM');

    const again = await reimport(db.pool, reimportOptions(testId!), pagesOf(bad()));
    expect([again.newIds, again.closedIds, again.untouchedIds]).toEqual([[], [], stored.map((f) => f.id)]);
  });
});

describe('findings without a unique id under unique_id_from_tool', () => {
  it('match by hash_code instead of being closed and re-created on every sync', async () => {
    const [testId] = await createTests(db.pool);
    const uidOnly = (over: Partial<ReimportOptions> = {}) => reimportOptions(testId!, { dedupe: { algorithm: 'unique_id_from_tool', hashFields: ['title', 'line'] }, ...over });
    const report = () => [...findings(0, 3), ...findings(3, 6, { uniqueIdFromTool: null })];
    const first = await reimport(db.pool, uidOnly(), pagesOf(report()));
    const again = await reimport(db.pool, uidOnly(), pagesOf(report()));
    expect([first.newIds.length, again.newIds, again.closedIds, again.untouchedIds]).toEqual([6, [], [], first.newIds]);
  });
});

describe('services', () => {
  it('keep equal fingerprints of two VEPs in one test apart, and match each within its own service', async () => {
    const [testId] = await createTests(db.pool);
    const report = () => [...findings(0, 3, { service: 'repo-a' }), ...findings(0, 3, { service: 'repo-b' })];
    const first = await reimport(db.pool, reimportOptions(testId!), pagesOf(report()));
    expect([first.newIds.length, first.collapsedDuplicates]).toEqual([6, 0]);
    const onlyA = await reimport(db.pool, reimportOptions(testId!), pagesOf(findings(0, 3, { service: 'repo-a' })));
    expect([onlyA.untouchedIds, onlyA.closedIds]).toEqual([first.newIds.slice(0, 3), first.newIds.slice(3)]);
  });
});

describe('all or nothing', () => {
  it('changes nothing at all when the fetch throws half-way', async () => {
    const [testId] = await createTests(db.pool);
    await reimport(db.pool, reimportOptions(testId!), pagesOf(findings(0, 10)));
    const before = await snapshot(db.pool);
    const progress: number[] = [];
    async function* failing(): AsyncIterable<NormalizedFinding[]> {
      yield findings(5, 20);
      throw new Error('vendor returned 502 on page 2');
    }
    await expect(reimport(db.pool, reimportOptions(testId!, { onProgress: (n) => { progress.push(n); } }), failing())).rejects.toThrow('vendor returned 502 on page 2');
    expect(progress).toEqual([15]);
    expect(await snapshot(db.pool)).toBe(before);
    expect(db.pool.totalCount - db.pool.idleCount).toBe(0);
  });

  it('changes nothing when its connection dies mid-way (as under kill -9), and the retry gives the uninterrupted result', async () => {
    const [victim, control] = await createTests(db.pool, 2);
    for (const t of [victim!, control!]) await reimport(db.pool, reimportOptions(t), pagesOf(findings(0, 10)));
    const before = await snapshot(db.pool);
    async function* killed(): AsyncIterable<NormalizedFinding[]> {
      yield findings(5, 15);
      // pg_locks is the whole server's: only this file's database, or another file's reimport of a
      // test with the same id is killed too (it was, now and then, with two files at a time)
      await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND classid = $2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [victim, LOCKS.reimport]);
      yield findings(15, 20);
    }
    await expect(reimport(db.pool, reimportOptions(victim!), killed())).rejects.toThrow();
    expect(await snapshot(db.pool)).toBe(before);

    const retry = await reimport(db.pool, reimportOptions(victim!), pagesOf(findings(5, 15), findings(15, 20)));
    const clean = await reimport(db.pool, reimportOptions(control!), pagesOf(findings(5, 15), findings(15, 20)));
    const shape = (r: typeof retry) => [r.newIds.length, r.closedIds.length, r.untouchedIds.length, r.reactivatedIds.length];
    expect(shape(retry)).toEqual([10, 5, 5, 0]);
    expect(shape(retry)).toEqual(shape(clean));
  });

  it('refuses a test that does not exist', async () => {
    const before = await snapshot(db.pool);
    await expect(reimport(db.pool, reimportOptions(2_000_000_000), pagesOf(findings(0, 3)))).rejects.toThrow('test 2000000000 does not exist');
    expect(await snapshot(db.pool)).toBe(before);
  });
});

describe('concurrency', () => {
  it('serializes two reimports of one test: the second sees what the first created', async () => {
    const [testId] = await createTests(db.pool);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    async function* slow(): AsyncIterable<NormalizedFinding[]> {
      yield findings(0, 50);
      await gate;
      yield findings(50, 100);
    }
    const first = reimport(db.pool, reimportOptions(testId!), slow());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = reimport(db.pool, reimportOptions(testId!), pagesOf(findings(0, 100)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.newIds.length, b.newIds.length, b.untouchedIds.length]).toEqual([100, 0, 100]);
    expect((await rows(db.pool, testId!)).length).toBe(100);
  });
});
