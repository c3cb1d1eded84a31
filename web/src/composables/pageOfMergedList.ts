// The page-cutting rule of useConnection, kept free of Vue so it can be tested alone.

export interface ConnectionPage<Node> {
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  nodes: readonly Node[];
}

export interface PageCut<Node> {
  nodes: readonly Node[];
  hasNext: boolean;
  /** the `after` for the next page; null when there is none */
  nextCursor: string | null;
}

/**
 * Page `pageIndex` (0-based) of a list whose cached pages Graphcache has merged from the first
 * onwards (every connection field is relayPagination'd). Pages the user has seen are in the merge,
 * so page k is the k-th slice. The next page's cursor is the one the caller remembers from having
 * been there; when it has not, this is the last page loaded and the merged end cursor is its end.
 */
export function pageOfMergedList<Node>(connection: ConnectionPage<Node> | null, pageIndex: number, pageSize: number, knownNextCursor: string | null = null): PageCut<Node> {
  if (!connection) return { nodes: [], hasNext: false, nextCursor: null };
  const start = pageIndex * pageSize;
  const nodes = connection.nodes.slice(start, start + pageSize);
  // more nodes cached past this page (pages seen before, or entities a subscription inserted)
  const moreLoaded = connection.nodes.length > start + pageSize;
  const hasNext = moreLoaded || connection.pageInfo.hasNextPage;
  const nextCursor = hasNext ? knownNextCursor ?? connection.pageInfo.endCursor ?? null : null;
  return { nodes, hasNext, nextCursor };
}
