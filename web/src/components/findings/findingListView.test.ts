// The findings list's view ↔ URL: what a shared link says is what the list shows.
import { describe, expect, it } from 'vitest';
import { findingFilterOf, findingViewQuery, parseFindingView, withFindingView } from './findingListView';

describe('findings list view in the URL', () => {
  it('reads severities (any case, any order, repeats and unknown words dropped), active and the product', () => {
    expect(parseFindingView({ severities: 'high,critical,,bogus,HIGH', active: 'true', productId: 'UHJvZHVjdDox' })).toEqual({
      severities: ['CRITICAL', 'HIGH'], active: true, productId: 'UHJvZHVjdDox', testId: null,
    });
    expect(parseFindingView({ severities: ['LOW', 'INFO'], active: 'false' })).toMatchObject({ severities: ['LOW', 'INFO'], active: false });
    expect(parseFindingView({ active: 'maybe', productId: '' })).toEqual({ severities: [], active: null, productId: null, testId: null });
  });

  it('writes only what is set, and round-trips', () => {
    const view = { severities: ['HIGH', 'CRITICAL'] as const, active: true, productId: 'p', testId: null };
    const query = findingViewQuery({ ...view, severities: [...view.severities] });
    expect(query).toEqual({ severities: 'CRITICAL,HIGH', active: 'true', productId: 'p', testId: undefined });
    expect(parseFindingView(query as Record<string, string>)).toEqual({ severities: ['CRITICAL', 'HIGH'], active: true, productId: 'p', testId: null });
    expect(findingViewQuery({ severities: [], active: null, productId: null, testId: null })).toEqual({ severities: undefined, active: undefined, productId: undefined, testId: undefined });
  });

  it('keeps keys it does not own, and writes only the keys a page gives it', () => {
    const next = withFindingView({ q: 'x', productId: 'kept' }, { severities: ['LOW'], active: null, productId: 'other', testId: null }, ['severities', 'active']);
    expect(next).toEqual({ q: 'x', productId: 'kept', severities: 'LOW', active: undefined });
  });

  it("turns the view into the API's filter, the page's own product or test winning", () => {
    expect(findingFilterOf({ severities: [], active: null, productId: null, testId: null })).toEqual({});
    expect(findingFilterOf({ severities: ['HIGH'], active: false, productId: 'url', testId: null }, { productId: 'page' }))
      .toEqual({ productId: 'page', active: false, severities: ['HIGH'] });
    expect(findingFilterOf({ severities: [], active: true, productId: null, testId: 't' })).toEqual({ testId: 't', active: true });
  });
});
