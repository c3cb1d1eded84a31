// Putting an entity into, or taking it out of, the cached lists of one connection field (e.g. a
// connector's `records`), as an event says it now belongs there or no longer does. A "list" is the
// set of cached pages sharing the same non-paging arguments (`states: [NEW, IGNORED]` is one list,
// `states: [GOOD]` another); relayPagination shows their union. Lists are read and written through
// `nodes` (the documents select nodes, not edges: an inserted entity has no server cursor).
import type { Cache, FieldArgs, FieldInfo } from '@urql/exchange-graphcache';
// built at run time from the schema, so not a static document gql.tada could check: parsed as such
import { gql as parseDocument } from '@urql/core';
import type { ConnectionField } from './schemaShape';

const PAGING_ARGS = new Set(['first', 'after', 'last', 'before']);

/** which lists of the field take the entity, by their filter arguments (null: every list) */
export type ListFilter = (args: Record<string, unknown>) => boolean;

export interface ListPlacement {
  field: ConnectionField;
  parentKey: string;
  entityKey: string;
  belongs: ListFilter;
  /** where a newly added entity goes in its list; every list this app places into is newest first */
  position?: 'start' | 'end';
}

function filterKey(args: FieldArgs): string {
  const filters = Object.entries(args ?? {}).filter(([name]) => !PAGING_ARGS.has(name)).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(filters);
}

function isFirstPage(args: FieldArgs): boolean {
  return args?.after == null && args?.before == null;
}

/** the field's cached pages, grouped into lists */
export function cachedLists(cache: Cache, parentKey: string, fieldName: string): FieldInfo[][] {
  const lists = new Map<string, FieldInfo[]>();
  for (const info of cache.inspectFields(parentKey)) {
    if (info.fieldName !== fieldName) continue;
    const key = filterKey(info.arguments);
    lists.set(key, [...(lists.get(key) ?? []), info]);
  }
  return [...lists.values()];
}

/** a page's node keys; null when the page was cached without `nodes` (a count-only query) */
function pageNodes(cache: Cache, parentKey: string, page: FieldInfo): { pageKey: string; nodes: string[] | null } | null {
  const pageKey = cache.resolve(parentKey, page.fieldKey);
  if (typeof pageKey !== 'string') return null;
  const nodes = cache.resolve(pageKey, 'nodes');
  return { pageKey, nodes: Array.isArray(nodes) ? nodes.filter((n): n is string => typeof n === 'string') : null };
}

const countFragments = new Map<string, ReturnType<typeof parseDocument>>();

/** a fragment writing one page's scalar fields (totalCount …), with every argument the field takes as a variable */
function countFragment(field: ConnectionField): ReturnType<typeof parseDocument> {
  const id = `${field.parentType}.${field.fieldName}`;
  let fragment = countFragments.get(id);
  if (!fragment) {
    const args = field.argNames.map((name) => `${name}: $${name}`).join(', ');
    const scalars = ['__typename', ...field.extraScalars].join(' ');
    fragment = parseDocument(`fragment _ on ${field.parentType} { ${field.fieldName}${args ? `(${args})` : ''} { ${scalars} } }`);
    countFragments.set(id, fragment);
  }
  return fragment;
}

/** adds `delta` to a numeric scalar of every page of a list (the counts are the list's, not the page's) */
export function adjustListCount(cache: Cache, field: ConnectionField, parentKey: string, list: FieldInfo[], scalar: string, delta: number | ((current: number) => number)): void {
  if (!field.extraScalars.includes(scalar)) return;
  for (const page of list) {
    const pageKey = cache.resolve(parentKey, page.fieldKey);
    if (typeof pageKey !== 'string') continue;
    const current = cache.resolve(pageKey, scalar);
    if (typeof current !== 'number') continue;
    const typename = cache.resolve(pageKey, '__typename');
    const next = typeof delta === 'number' ? current + delta : delta(current);
    const parent = parentKey === 'Query' ? { __typename: 'Query' } : { __typename: cache.resolve(parentKey, '__typename'), id: cache.resolve(parentKey, 'id') };
    cache.writeFragment(countFragment(field), { ...parent, [field.fieldName]: { __typename: typename, [scalar]: Math.max(0, next) } }, page.arguments ?? {});
  }
}

/**
 * Adds the entity to the lists it belongs to and is not in yet, and removes it from those it no
 * longer belongs to, keeping each list's totalCount right. Answers whether any list changed.
 */
export function placeInLists(cache: Cache, placement: ListPlacement): boolean {
  const { field, parentKey, entityKey, belongs, position = 'start' } = placement;
  let changed = false;
  for (const list of cachedLists(cache, parentKey, field.fieldName)) {
    const args = (list[0]!.arguments ?? {}) as Record<string, unknown>;
    const pages = list.map((page) => ({ page, ...pageNodes(cache, parentKey, page) }));
    if (pages.every((p) => !p.nodes)) {
      // a count-only list cannot tell whether the entity is already counted: ask the server again
      for (const { page } of pages) cache.invalidate(parentKey, page.fieldName, page.arguments ?? undefined);
      changed = true;
      continue;
    }
    const holders = pages.filter((p) => p.nodes?.includes(entityKey));
    if (belongs(args)) {
      if (holders.length > 0) continue;
      // a list never loaded past its first page takes the entity there; "end" lists only when complete
      const target = position === 'start'
        ? pages.find((p) => isFirstPage(p.page.arguments))
        : pages.find((p) => p.pageKey && cache.resolve(cache.resolve(p.pageKey, 'pageInfo') as string, 'hasNextPage') === false);
      if (!target?.pageKey) continue;
      if (target.nodes) cache.link(target.pageKey, 'nodes', position === 'start' ? [entityKey, ...target.nodes!] : [...target.nodes!, entityKey]);
      adjustListCount(cache, field, parentKey, list, 'totalCount', +1);
      changed = true;
    } else if (holders.length > 0) {
      for (const holder of holders) if (holder.nodes) cache.link(holder.pageKey!, 'nodes', holder.nodes!.filter((n) => n !== entityKey));
      adjustListCount(cache, field, parentKey, list, 'totalCount', -1);
      changed = true;
    }
  }
  return changed;
}
