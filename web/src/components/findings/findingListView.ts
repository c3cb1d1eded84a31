// A findings list's view kept in the URL, so a link shows someone else the same list:
// /findings?severities=CRITICAL,HIGH&active=true&productId=… . Parsing forgives what a person might
// type (lower case, repeats, unknown words are dropped) and writing leaves out what is not set.
import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import { SEVERITIES, type FindingFilter, type Severity } from '../../composables/useFindings';

export interface FindingListView {
  /** empty: every severity */
  severities: Severity[];
  /** true: active only, false: inactive only, null: both */
  active: boolean | null;
  productId: string | null;
  testId: string | null;
}

/** the URL keys a list owns; a page that fixes the product or test keeps those out of its URL */
export type FindingViewKey = keyof FindingListView;
export const FINDING_VIEW_KEYS: readonly FindingViewKey[] = ['severities', 'active', 'productId', 'testId'];

function first(value: LocationQuery[string] | undefined): string | null {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one.trim() !== '' ? one.trim() : null;
}

export function parseFindingView(query: LocationQuery): FindingListView {
  const raw = (Array.isArray(query.severities) ? query.severities : [query.severities])
    .flatMap((value) => (typeof value === 'string' ? value.split(',') : []))
    .map((word) => word.trim().toUpperCase());
  const active = first(query.active);
  return {
    // in the server's order (most severe first), whatever order the URL had
    severities: SEVERITIES.filter((severity) => raw.includes(severity)),
    active: active === 'true' ? true : active === 'false' ? false : null,
    productId: first(query.productId),
    testId: first(query.testId),
  };
}

/** the query the view writes: keys not set are undefined, so vue-router drops them */
export function findingViewQuery(view: FindingListView): Record<FindingViewKey, string | undefined> {
  return {
    severities: view.severities.length ? SEVERITIES.filter((s) => view.severities.includes(s)).join(',') : undefined,
    active: view.active == null ? undefined : String(view.active),
    productId: view.productId ?? undefined,
    testId: view.testId ?? undefined,
  };
}

/** the current URL query with the view's keys replaced (other keys, e.g. a search, are kept) */
export function withFindingView(query: LocationQuery, view: FindingListView, keys: readonly FindingViewKey[] = FINDING_VIEW_KEYS): LocationQueryRaw {
  const written = findingViewQuery(view);
  const next: LocationQueryRaw = { ...query };
  for (const key of keys) next[key] = written[key];
  return next;
}

/** the API's filter for the view; a page's fixed scope (its product or test) wins over the URL */
export function findingFilterOf(view: FindingListView, scope: { productId?: string | null; testId?: string | null } = {}): FindingFilter {
  const filter: FindingFilter = {};
  const productId = scope.productId ?? view.productId;
  const testId = scope.testId ?? view.testId;
  if (productId) filter.productId = productId;
  if (testId) filter.testId = testId;
  if (view.active != null) filter.active = view.active;
  if (view.severities.length) filter.severities = [...view.severities];
  return filter;
}
