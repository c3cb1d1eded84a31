// One Relay connection shown a page at a time: first/after cursors, next/previous, totalCount,
// loading and error. Graphcache merges the cached pages of a list (so a subscription can put a new
// entity into it); this composable cuts the page being looked at out of that merged list.
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useQuery, type AnyVariables, type RequestPolicy, type TypedDocumentNode } from '@urql/vue';
import { errorMessage } from '../errorMessage';
import { pageOfMergedList, type ConnectionPage } from './pageOfMergedList';

export type { ConnectionPage } from './pageOfMergedList';

export interface ConnectionOptions<Data, Vars extends AnyVariables, Node> {
  query: TypedDocumentNode<Data, Vars>;
  /** every variable but first and after; a change starts again at page 1 */
  variables?: MaybeRefOrGetter<Omit<Vars, 'first' | 'after'>>;
  /** where the connection sits in the result */
  connection: (data: Data) => ConnectionPage<Node> | null | undefined;
  pageSize?: number;
  /** lists change behind the client's back (workers, other users): show the cache, then refresh */
  requestPolicy?: RequestPolicy;
  pause?: MaybeRefOrGetter<boolean>;
}

export function useConnection<Data, Vars extends AnyVariables, Node>(options: ConnectionOptions<Data, Vars, Node>) {
  const pageSize = options.pageSize ?? 20;
  // cursors[k] is the `after` of page k (null for the first): kept when stepping back, so "Next"
  // returns to the very page it came from
  const cursors = ref<Array<string | null>>([null]);
  const pageIndex = ref(0);

  const query = useQuery<Data, Vars>({
    query: options.query,
    variables: () => ({ ...toValue(options.variables), first: pageSize, after: cursors.value[pageIndex.value] ?? null }) as unknown as Vars,
    requestPolicy: options.requestPolicy ?? 'cache-and-network',
    pause: () => toValue(options.pause) ?? false,
  });

  const connection = computed(() => (query.data.value ? options.connection(query.data.value) ?? null : null));
  const page = computed(() => pageOfMergedList(connection.value, pageIndex.value, pageSize, cursors.value[pageIndex.value + 1] ?? null));

  function next(): void {
    const cursor = page.value.nextCursor;
    if (!cursor) return;
    if (cursors.value[pageIndex.value + 1] !== cursor) cursors.value = [...cursors.value.slice(0, pageIndex.value + 1), cursor];
    pageIndex.value += 1;
  }
  function previous(): void {
    if (pageIndex.value > 0) pageIndex.value -= 1;
  }
  function reset(): void {
    cursors.value = [null];
    pageIndex.value = 0;
  }

  watch(() => JSON.stringify(toValue(options.variables) ?? {}), reset);

  return {
    nodes: computed(() => page.value.nodes),
    totalCount: computed(() => connection.value?.totalCount ?? 0),
    pageNumber: computed(() => pageIndex.value + 1),
    pageCount: computed(() => Math.max(1, Math.ceil((connection.value?.totalCount ?? 0) / pageSize))),
    hasNext: computed(() => page.value.hasNext),
    hasPrevious: computed(() => pageIndex.value > 0),
    /** true until the first result for these variables, and while a page is fetched */
    loading: computed(() => query.fetching.value && page.value.nodes.length === 0),
    /** a refresh in the background (cache-and-network), with the cached page on screen */
    refreshing: query.fetching,
    loaded: computed(() => connection.value !== null),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
    data: query.data,
    next,
    previous,
    reset,
    refetch: () => query.executeQuery({ requestPolicy: 'network-only' }),
  };
}
