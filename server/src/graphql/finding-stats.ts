// Finding statistics for dashboards: open findings by severity and findings opened / closed per
// day, over the products the viewer may see (or one of them). Counted in the database: a million
// findings are never loaded to count them.
import { Prisma, type Severity } from '@tributary/db';
import { requireViewer } from '../auth/viewer.ts';
import { SEVERITIES } from '../severity.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { countFindings } from './finding-filter.ts';
import { decodeId } from './global-id.ts';
import { visibleProducts } from './visibility.ts';

type Summary = Record<Severity, number> & { total: number };

const FindingSummary = builder.objectRef<Summary>('FindingSummary').implement({
  description: 'Active findings by severity.',
  fields: (t) => ({
    critical: t.exposeInt('CRITICAL'),
    high: t.exposeInt('HIGH'),
    medium: t.exposeInt('MEDIUM'),
    low: t.exposeInt('LOW'),
    info: t.exposeInt('INFO'),
    total: t.exposeInt('total'),
  }),
});

builder.queryField('findingSummary', (t) =>
  t.field({
    type: FindingSummary,
    description: 'Active findings by severity across the products the viewer may see, or one product.',
    authScopes: { loggedIn: true },
    args: { productId: t.arg.id() },
    // from the per-test counters (finding-filter.ts): a grouped count over a million findings took
    // ~0.5 s; five sums of at most tests × 10 counter rows take a few ms
    resolve: async (_r, args, ctx) => {
      const counts = await Promise.all(SEVERITIES.map((s) => countFindings(ctx, { active: true, productId: args.productId, severities: [s] }, {})));
      const summary = Object.fromEntries(SEVERITIES.map((s, i) => [s, counts[i]!])) as Summary;
      summary.total = counts.reduce((n, c) => n + c, 0);
      return summary;
    },
  }));

type Day = { day: string; opened: number; closed: number };

const FindingTrendDay = builder.objectRef<Day>('FindingTrendDay').implement({
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD (UTC)' }),
    opened: t.exposeInt('opened', { description: 'findings created that day' }),
    closed: t.exposeInt('closed', { description: 'findings mitigated that day' }),
  }),
});

/** a year: longer windows are a report, not a dashboard chart */
const MAX_DAYS = 366;

builder.queryField('findingTrend', (t) =>
  t.field({
    type: [FindingTrendDay],
    description: 'Findings opened and closed per UTC day over the last `days` days (today included), oldest first, every day listed.',
    authScopes: { loggedIn: true },
    args: { days: t.arg.int({ defaultValue: 30, validate: { min: 1, max: MAX_DAYS } }), productId: t.arg.id() },
    resolve: async (_r, args, ctx) => trend(ctx, args.days ?? 30, args.productId == null ? null : decodeId(String(args.productId), 'Product', 'productId')),
  }));

async function trend(ctx: Context, days: number, productId: number | null): Promise<Day[]> {
  const viewer = requireViewer(ctx.viewer);
  // the products counted: one (if visible), all the viewer's, or (global roles) every one
  let products: number[] | null = null;
  if (productId !== null || !viewer.seesAllProducts) {
    products = (await ctx.prisma.product.findMany({ where: { AND: [visibleProducts(ctx), productId !== null ? { id: productId } : {}] }, select: { id: true } })).map((p) => p.id);
  }
  const scope = (column: '"createdAt"' | '"mitigatedAt"') => Prisma.sql`
    SELECT (f.${Prisma.raw(column)})::date AS day, count(*)::int AS n
      FROM "Finding" f JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId"
     WHERE f.${Prisma.raw(column)} >= (now() AT TIME ZONE 'UTC')::date - ${days - 1}::int
       AND (${products}::int[] IS NULL OR e."productId" = ANY(${products}::int[]))
     GROUP BY 1`;
  return ctx.prisma.$queryRaw<Day[]>`
    WITH days AS (SELECT generate_series((now() AT TIME ZONE 'UTC')::date - ${days - 1}::int, (now() AT TIME ZONE 'UTC')::date, '1 day')::date AS day),
      opened AS (${scope('"createdAt"')}), closed AS (${scope('"mitigatedAt"')})
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(o.n, 0) AS opened, coalesce(c.n, 0) AS closed
      FROM days d LEFT JOIN opened o ON o.day = d.day LEFT JOIN closed c ON c.day = d.day
     ORDER BY d.day`;
}
