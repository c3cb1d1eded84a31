// Reads a SonarQube search endpoint (issues, hotspots, components) to the very end. These searches
// are Elasticsearch-backed: asking for a result past the 10,000th is a 400 ("Can return only the
// first 10000 results"), and SonarCloud also caps `paging.total` at 10,000. So a query whose total
// reaches the window is never paged; it is cut into disjoint sub-queries that together cover it
// (by severity, then by creation-date halves), recursively, and the parts' counts are checked
// against the whole so nothing beyond the window is silently lost.
import { joinUrl } from './http.ts';
import type { KindContext } from './kind.ts';

export const RESULT_WINDOW = 10_000;
/** the largest `ps` every SonarQube search accepts; more is a 400 */
export const MAX_PAGE_SIZE = 500;

export type SonarQuery = Record<string, string>;

/** Cuts a query into disjoint sub-queries covering it, or returns null when it cannot cut further. */
export type Splitter = (ctx: KindContext, search: SonarSearch, query: SonarQuery) => Promise<SonarQuery[] | null>;

export interface SonarSearch {
  /** e.g. `api/issues/search` */
  path: string;
  /** the array in the body holding the results: `issues`, `hotspots`, `components` */
  itemsKey: string;
  /** tried in order when a query reaches the window */
  splitters: Splitter[];
}

export interface SonarPage {
  items: Array<Record<string, any>>;
  /** the whole page body (issues pages carry `components` and `rules` beside the issues) */
  body: Record<string, any>;
}

interface Paging { pageIndex: number; pageSize: number; total: number }

export function sonarUrl(ctx: KindContext, path: string, query: SonarQuery): string {
  const organization = ctx.config.options.organization;
  return joinUrl(ctx.config.url, path, { ...query, organization: typeof organization === 'string' ? organization : undefined });
}

export function sonarAuth(ctx: KindContext): Record<string, string> {
  // Basic with "<token>:" is accepted by every version from 9.9 LTS to 2025.x and by SonarCloud;
  // Bearer only from 10.0.
  return { authorization: `Basic ${Buffer.from(`${ctx.config.secret ?? ''}:`).toString('base64')}` };
}

/** Every result of `query`, page by page; throws rather than end early. */
export async function* searchAll(ctx: KindContext, search: SonarSearch, query: SonarQuery): AsyncGenerator<SonarPage> {
  const seen = new Set<string>();
  yield* readQuery(ctx, search, query, seen);
}

async function* readQuery(ctx: KindContext, search: SonarSearch, query: SonarQuery, seen: Set<string>): AsyncGenerator<SonarPage, number> {
  let page = await fetchPage(ctx, search, query, 1);
  if (page.paging.total >= RESULT_WINDOW) return yield* readSplit(ctx, search, query, page.paging.total, seen);
  let read = 0;
  for (let p = 1; ; p++) {
    if (p > 1) page = await fetchPage(ctx, search, query, p);
    for (const item of page.items) {
      const key = String(item.key);
      if (seen.has(key)) ctx.http.fail(`SonarQube returned ${key} twice while paging ${search.path}: the pagination loops or the index changed during the read`);
      seen.add(key);
    }
    read += page.items.length;
    if (page.items.length) yield { items: page.items, body: page.body };
    if (p * page.paging.pageSize >= page.paging.total) return read;
    if (!page.items.length) ctx.http.fail(`SonarQube sent an empty page ${p} of ${search.path} although it reports ${page.paging.total} results`);
  }
}

async function* readSplit(ctx: KindContext, search: SonarSearch, query: SonarQuery, total: number, seen: Set<string>): AsyncGenerator<SonarPage, number> {
  for (const split of search.splitters) {
    const parts = await split(ctx, search, query);
    if (!parts) continue;
    let read = 0;
    for (const part of parts) read += yield* readQuery(ctx, search, part, seen);
    // a total of exactly 10,000 may be SonarCloud's cap rather than the real count
    if (read < total && total !== RESULT_WINDOW) {
      ctx.http.fail(`SonarQube: the split queries of ${search.path} returned ${read} of ${total} results; refusing a partial listing`);
    }
    return read;
  }
  ctx.http.fail(`SonarQube: ${search.path} has ${total} results for ${JSON.stringify(query)}, more than its ${RESULT_WINDOW}-result window, and the query cannot be split further`);
}

async function fetchPage(ctx: KindContext, search: SonarSearch, query: SonarQuery, p: number): Promise<{ paging: Paging; items: Array<Record<string, any>>; body: Record<string, any> }> {
  const { data } = await ctx.http.json<Record<string, any>>(
    sonarUrl(ctx, search.path, { ...query, ps: String(MAX_PAGE_SIZE), p: String(p) }),
    { headers: sonarAuth(ctx) },
    ctx.signal,
  );
  const paging = data?.paging as Paging | undefined;
  const items = data?.[search.itemsKey];
  if (!paging || ![paging.pageIndex, paging.pageSize, paging.total].every(Number.isInteger) || paging.pageSize < 1 || !Array.isArray(items)) {
    ctx.http.fail(`SonarQube answered ${search.path} without a "paging" object and a "${search.itemsKey}" array`);
  }
  if (paging.pageIndex !== p) ctx.http.fail(`SonarQube answered page ${paging.pageIndex} of ${search.path} when page ${p} was asked: the pagination loops`);
  return { paging, items, body: data };
}

const LEGACY_SEVERITIES = ['BLOCKER', 'CRITICAL', 'MAJOR', 'MINOR', 'INFO'];

export const splitBySeverity: Splitter = async (_ctx, _search, query) =>
  query.severities ? null : LEGACY_SEVERITIES.map((severities) => ({ ...query, severities }));

// createdAfter is inclusive, createdBefore exclusive, both to the second: halves never overlap.
export const splitByCreationDate: Splitter = async (ctx, search, query) => {
  let from: number, to: number;
  if (query.createdAfter && query.createdBefore) {
    from = parseSonarDate(query.createdAfter)!.getTime();
    to = parseSonarDate(query.createdBefore)!.getTime();
  } else {
    const first = await edgeCreationDate(ctx, search, query, 'true');
    const last = await edgeCreationDate(ctx, search, query, 'false');
    if (first === null || last === null) return null;
    from = Math.floor(first / 1000) * 1000;
    to = Math.floor(last / 1000) * 1000 + 1000;
  }
  if (to - from <= 1000) return null;
  const mid = from + Math.floor((to - from) / 2000) * 1000;
  return [
    { ...query, createdAfter: formatSonarDate(from), createdBefore: formatSonarDate(mid) },
    { ...query, createdAfter: formatSonarDate(mid), createdBefore: formatSonarDate(to) },
  ];
};

async function edgeCreationDate(ctx: KindContext, search: SonarSearch, query: SonarQuery, asc: 'true' | 'false'): Promise<number | null> {
  const { data } = await ctx.http.json<Record<string, any>>(
    sonarUrl(ctx, search.path, { ...query, s: 'CREATION_DATE', asc, ps: '1', p: '1' }),
    { headers: sonarAuth(ctx) },
    ctx.signal,
  );
  const date = parseSonarDate(data?.[search.itemsKey]?.[0]?.creationDate);
  return date ? date.getTime() : null;
}

// Hotspot status has exactly two values, so this split always covers the whole.
export const splitByHotspotStatus: Splitter = async (_ctx, _search, query) =>
  query.status ? null : [{ ...query, status: 'TO_REVIEW' }, { ...query, status: 'REVIEWED' }];

/** SonarQube writes offsets without a colon (`2013-05-13T17:55:39+0200`), which Date.parse rejects. */
export function parseSonarDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatSonarDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}
