// Bulk record actions: one mutation per record, in order, and a summary naming each failure.
import { describe, expect, it } from 'vitest';
import { runForEach, summarizeBulk } from './bulkActions';

const records = [{ id: '1', name: 'api' }, { id: '2', name: 'web' }, { id: '3', name: 'batch' }];

describe('runForEach', () => {
  it('runs the action for each item in order and keeps each outcome, a throw included', async () => {
    const order: string[] = [];
    const outcomes = await runForEach(records, async (r) => {
      order.push(r.id);
      if (r.id === '2') return 'only an IGNORED record can be restored (this one is NEW)';
      if (r.id === '3') throw new Error('network down');
      return null;
    });
    expect(order).toEqual(['1', '2', '3']);
    expect(outcomes.map((o) => [o.item.id, o.ok, o.error])).toEqual([
      ['1', true, null], ['2', false, 'only an IGNORED record can be restored (this one is NEW)'], ['3', false, 'network down'],
    ]);
  });
});

describe('summarizeBulk', () => {
  const name = (r: { name: string }) => r.name;
  it('says how many when all worked', () => {
    expect(summarizeBulk('Ignored', records.map((item) => ({ item, ok: true, error: null })), name)).toEqual({ text: 'Ignored 3 records.', failures: [], allFailed: false });
    expect(summarizeBulk('Deleted', [{ item: records[0]!, ok: true, error: null }], name).text).toBe('Deleted 1 record.');
  });

  it('names every record that failed and why', () => {
    const summary = summarizeBulk('Mapped', [
      { item: records[0]!, ok: true, error: null },
      { item: records[1]!, ok: false, error: 'FORBIDDEN' },
      { item: records[2]!, ok: true, error: null },
    ], name);
    expect(summary).toEqual({ text: 'Mapped 2 of 3 records; 1 failed.', failures: [{ name: 'web', error: 'FORBIDDEN' }], allFailed: false });
  });

  it('says when nothing worked', () => {
    expect(summarizeBulk('Restored', [{ item: records[0]!, ok: false, error: 'x' }], name)).toMatchObject({ text: 'The record failed.', allFailed: true });
    expect(summarizeBulk('Restored', records.map((item) => ({ item, ok: false, error: 'x' })), name).text).toBe('All 3 records failed.');
  });
});
