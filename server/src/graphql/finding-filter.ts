// The findings filter every findings connection takes (root, Product, Engagement, Test): what the
// viewer may see, narrowed by product, test, status and severities — and how a page and its
// totalCount are read at a million findings (findingPage, countFindings, scopedFindingCount).
import { Prisma, type Severity } from '@tributary/db';
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import { requestLoader, type Context } from './context.ts';
import { SeverityEnum } from './enums.ts';
import { decodeId } from './global-id.ts';

export const FindingFilter = builder.inputType('FindingFilter', {
  fields: (t) => ({
    productId: t.id(),
    testId: t.id(),
    active: t.boolean(),
    severities: t.field({ type: [SeverityEnum], validate: { maxLength: 5 } }),
  }),
});

type FilterInput = { productId?: string | number | null; testId?: string | number | null; active?: boolean | null; severities?: readonly Severity[] | null } | null | undefined;

/** the parent a findings connection hangs under (none for the root `findings`) */
export interface FindingScope { productId?: number; engagementId?: number; testId?: number }

/** most severe first, ties by id, so pages are stable */
export const FINDING_ORDER: Prisma.FindingOrderByWithRelationInput[] = [{ severity: 'asc' }, { id: 'asc' }];

/**
 * A filter and scope as the SQL below needs them. Every FindingFilter field is expressible in the
 * per-test counters ("FindingCount": test, severity, active), so totalCount never counts rows; a
 * field added later that is not (a text search, a date) must make `countFindings` fall back to
 * a count(*) of the findings it matches.
 */
interface Narrowed {
  /** a product id and a test id that contradict each other (the scope's and the filter's) */
  empty: boolean;
  productId: number | null;
  engagementId: number | null;
  testId: number | null;
  active: boolean | null;
  severities: Severity[] | null;
  /** product membership limits what is seen (null: a global role or superuser, who sees every product) */
  memberOf: number | null;
}

function narrow(ctx: Context, filter: FilterInput, scope: FindingScope): Narrowed {
  const viewer = requireViewer(ctx.viewer);
  const n: Narrowed = {
    empty: false, productId: scope.productId ?? null, engagementId: scope.engagementId ?? null, testId: scope.testId ?? null,
    active: filter?.active ?? null, severities: filter?.severities?.length ? [...filter.severities] : null,
    memberOf: viewer.seesAllProducts ? null : viewer.id,
  };
  if (filter?.productId != null) {
    const productId = decodeId(String(filter.productId), 'Product', 'filter.productId');
    if (n.productId !== null && n.productId !== productId) n.empty = true;
    n.productId = productId;
  }
  if (filter?.testId != null) {
    const testId = decodeId(String(filter.testId), 'Test', 'filter.testId');
    if (n.testId !== null && n.testId !== testId) n.empty = true;
    n.testId = testId;
  }
  return n;
}

/**
 * The ids of the tests whose findings the viewer may see within the scope, or null for every test.
 * Tests are few (50 for the bench's million findings), so visibility is decided on them and never by
 * joining each finding to its test and engagement (that join cost 1.3 s of a 1M-row first page).
 */
function visibleTests(n: Narrowed): Prisma.Sql | null {
  const where: Prisma.Sql[] = [];
  if (n.memberOf !== null) where.push(Prisma.sql`e."productId" IN (SELECT m."productId" FROM "ProductMember" m WHERE m."userId" = ${n.memberOf})`);
  if (n.productId !== null) where.push(Prisma.sql`e."productId" = ${n.productId}`);
  if (n.engagementId !== null) where.push(Prisma.sql`e.id = ${n.engagementId}`);
  if (n.testId !== null) where.push(Prisma.sql`t.id = ${n.testId}`);
  if (!where.length) return null;
  return Prisma.sql`SELECT t.id FROM "Test" t JOIN "Engagement" e ON e.id = t."engagementId" WHERE ${Prisma.join(where, ' AND ')}`;
}

/** what Pothos hands a prismaConnection's resolve: the selection plus Prisma's cursor arguments */
type ConnectionQuery = { take?: number; skip?: number; cursor?: { id?: number } } & Omit<Prisma.FindingFindManyArgs, 'where' | 'orderBy' | 'take' | 'skip' | 'cursor'>;

/**
 * One page of findings in FINDING_ORDER (severity, id), as `findMany({ cursor, skip, take })` would
 * return it, read by keyset instead: per visible test, the index ("testId", severity, id) is walked
 * from the cursor and stops after first+1 rows; the tests' runs are merged and cut to first+1. A page
 * reads at most tests × (first+1) index entries whatever the depth: at 1M findings the page half-way
 * down took 934 ms by Prisma's cursor (a sort of every visible row) and takes a few ms this way.
 * Prisma then loads those rows with the connection's selection (relations batched as before).
 */
export async function findingPage(ctx: Context, filter: FilterInput, scope: FindingScope, query: ConnectionQuery) {
  const { take = 21, skip: _skip, cursor, ...selection } = query;
  const n = narrow(ctx, filter, scope);
  if (n.empty || take === 0) return [];
  const backward = take < 0;
  const limit = Math.abs(take);
  const tests = visibleTests(n) ?? Prisma.sql`SELECT id FROM "Test"`;
  const conditions = [Prisma.sql`f."testId" = t.id`];
  if (n.active !== null) conditions.push(Prisma.sql`f.active = ${n.active}`);
  if (n.severities) conditions.push(Prisma.sql`f.severity = ANY(${n.severities}::"Severity"[])`);
  // strictly after (before) the cursor row's place in the order: Prisma's `>=` plus skip 1 would
  // drop a row when the cursor row itself no longer matches the filter
  if (cursor?.id != null) {
    const at = Prisma.sql`((SELECT c.severity FROM "Finding" c WHERE c.id = ${cursor.id}), ${cursor.id}::int)`;
    conditions.push(backward ? Prisma.sql`(f.severity, f.id) < ${at}` : Prisma.sql`(f.severity, f.id) > ${at}`);
  }
  const dir = Prisma.raw(backward ? 'DESC' : 'ASC');
  const rows = await ctx.prisma.$queryRaw<Array<{ id: number }>>`
    SELECT p.id FROM (${tests}) t
    CROSS JOIN LATERAL (
      SELECT f.id, f.severity FROM "Finding" f WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY f.severity ${dir}, f.id ${dir} LIMIT ${limit}) p
    ORDER BY p.severity ${dir}, p.id ${dir} LIMIT ${limit}`;
  const ids = rows.map((r) => r.id);
  if (backward) ids.reverse();
  if (!ids.length) return [];
  const found = await ctx.prisma.finding.findMany({ ...selection, where: { id: { in: ids } } });
  const at = new Map(ids.map((id, i) => [id, i]));
  return found.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
}

/** counter rows kept in SQL when the filter narrows them (a sum over at most tests × 10 rows) */
function counterConditions(n: Narrowed): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (n.active !== null) where.push(Prisma.sql`c.active = ${n.active}`);
  if (n.severities) where.push(Prisma.sql`c.severity = ANY(${n.severities}::"Severity"[])`);
  return where;
}

/** The root connection's totalCount: a sum of per-test counters, exact, without counting rows. */
export async function countFindings(ctx: Context, filter: FilterInput, scope: FindingScope): Promise<number> {
  const n = narrow(ctx, filter, scope);
  if (n.empty) return 0;
  const tests = visibleTests(n);
  const where = counterConditions(n);
  if (tests) where.push(Prisma.sql`c."testId" IN (${tests})`);
  const [row] = await ctx.prisma.$queryRaw<Array<{ n: number }>>`
    SELECT coalesce(sum(c.count), 0)::int AS n FROM "FindingCount" c ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty}`;
  return row?.n ?? 0;
}

interface CounterRow { parentId: number; testId: number; productId: number; severity: Severity; active: boolean; count: number }

/**
 * totalCount of a Product's, Engagement's or Test's findings. Every parent of a list and every
 * filter (the dashboard asks five severities per product) is answered from one read of the parents'
 * counters, filtered here: 20 products × 5 counts is one statement, not 100 counts.
 */
export async function scopedFindingCount(ctx: Context, kind: 'product' | 'engagement' | 'test', parentId: number, filter: FilterInput): Promise<number> {
  const n = narrow(ctx, filter, { [`${kind}Id`]: parentId });
  if (n.empty) return 0;
  const rows = await requestLoader(ctx, `findingCounters:${kind}`, async (ids: number[]) => {
    const parent = Prisma.raw(kind === 'product' ? 'e."productId"' : kind === 'engagement' ? 'e.id' : 't.id');
    const visible = n.memberOf === null ? Prisma.empty
      : Prisma.sql`AND e."productId" IN (SELECT m."productId" FROM "ProductMember" m WHERE m."userId" = ${n.memberOf})`;
    const found = await ctx.prisma.$queryRaw<CounterRow[]>`
      SELECT ${parent} AS "parentId", c."testId", e."productId", c.severity::text AS severity, c.active, c.count
        FROM "FindingCount" c JOIN "Test" t ON t.id = c."testId" JOIN "Engagement" e ON e.id = t."engagementId"
       WHERE ${parent} = ANY(${ids}::int[]) ${visible}`;
    const byParent = new Map<number, CounterRow[]>();
    for (const r of found) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r]);
    return byParent;
  }).load(parentId);
  let total = 0;
  for (const r of rows ?? []) {
    if (n.productId !== null && r.productId !== n.productId) continue;
    if (n.testId !== null && r.testId !== n.testId) continue;
    if (n.active !== null && r.active !== n.active) continue;
    if (n.severities && !n.severities.includes(r.severity)) continue;
    total += r.count;
  }
  return total;
}
