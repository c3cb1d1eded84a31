import { describe, expect, it } from 'vitest';
import { pageOfMergedList } from './pageOfMergedList';

const list = (count: number, hasNextPage: boolean, endCursor: string | null = `c${count}`) => ({
  totalCount: 50, pageInfo: { hasNextPage, endCursor }, nodes: Array.from({ length: count }, (_, i) => i + 1),
});

describe('pageOfMergedList', () => {
  it('shows the first page and continues from its end cursor', () => {
    expect(pageOfMergedList(list(20, true), 0, 20)).toEqual({ nodes: list(20, true).nodes, hasNext: true, nextCursor: 'c20' });
  });

  it('cuts a later page out of the merged pages', () => {
    const cut = pageOfMergedList(list(45, true), 1, 20, 'c40');
    expect(cut.nodes).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
    expect(cut).toMatchObject({ hasNext: true, nextCursor: 'c40' });
  });

  it('has no next page at the end of the list', () => {
    expect(pageOfMergedList(list(42, false), 2, 20)).toEqual({ nodes: [41, 42], hasNext: false, nextCursor: null });
  });

  it('offers the next page when live inserts pushed rows past this one, from the end it loaded', () => {
    // 20 loaded + 1 inserted by a subscription, server says no more: the 21st row is still reachable
    expect(pageOfMergedList(list(21, false, 'c20'), 0, 20)).toMatchObject({ hasNext: true, nextCursor: 'c20' });
  });

  it('is empty before the first result', () => {
    expect(pageOfMergedList(null, 0, 20)).toEqual({ nodes: [], hasNext: false, nextCursor: null });
  });
});
