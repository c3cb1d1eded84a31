// The findings filter every findings connection takes (root, Product, Engagement, Test): what the
// viewer may see, narrowed by product, test, status and severities.
import type { Prisma, Severity } from '@tributary/db';
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
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

/** most severe first, ties by id, so pages are stable */
export const FINDING_ORDER: Prisma.FindingOrderByWithRelationInput[] = [{ severity: 'asc' }, { id: 'asc' }];

/** The viewer's visible findings narrowed by a FindingFilter and the parent's scope. */
export function findingWhere(ctx: Context, filter: FilterInput, scope: { productId?: number; engagementId?: number }): Prisma.FindingWhereInput {
  const viewer = requireViewer(ctx.viewer);
  const engagement: Prisma.EngagementWhereInput = { product: viewer.productScope() };
  if (scope.productId) engagement.productId = scope.productId;
  if (scope.engagementId) engagement.id = scope.engagementId;
  const where: Prisma.FindingWhereInput = { test: { engagement } };
  if (filter?.productId != null) {
    const productId = decodeId(String(filter.productId), 'Product', 'filter.productId');
    engagement.productId = scope.productId && scope.productId !== productId ? -1 : productId;
  }
  if (filter?.testId != null) where.testId = decodeId(String(filter.testId), 'Test', 'filter.testId');
  if (filter?.active != null) where.active = filter.active;
  if (filter?.severities?.length) where.severity = { in: [...filter.severities] };
  return where;
}
