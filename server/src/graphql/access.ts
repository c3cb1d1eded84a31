// Access gates for writes, one documented way:
// - role gates (logged in, global manager, superuser) are the mutation's `authScopes`;
// - per-object checks are these requireX(): decode the id, find the object (and for the product
//   tree, the product it belongs to), answer NOT_FOUND when the viewer may not see it — the same
//   answer as for an id that does not exist, so nothing hints that it does — and FORBIDDEN when they
//   may see it but not do this.
// Reads are visibility.ts's business.
import type { Connector, Record as ConnectorRecord } from '@tributary/db';
import type { Permission } from '../auth/permissions.ts';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import type { Context } from './context.ts';
import { notFound } from './errors.ts';
import { decodeId } from './global-id.ts';

type ProductTreeType = 'Product' | 'Engagement' | 'Test' | 'Finding';

/** the product each kind of object belongs to, or undefined when there is no such object */
const productOf: Record<ProductTreeType, (ctx: Context, id: number) => Promise<number | undefined>> = {
  Product: async (ctx, id) => ((await ctx.prisma.product.count({ where: { id } })) > 0 ? id : undefined),
  Engagement: async (ctx, id) => (await ctx.prisma.engagement.findUnique({ where: { id }, select: { productId: true } }))?.productId,
  Test: async (ctx, id) => (await ctx.prisma.test.findUnique({ where: { id }, select: { engagement: { select: { productId: true } } } }))?.engagement.productId,
  Finding: async (ctx, id) => (await ctx.prisma.finding.findUnique({ where: { id }, select: { test: { select: { engagement: { select: { productId: true } } } } } }))?.test.engagement.productId,
};

/**
 * The row id of a product-tree object the viewer may `permission` on. `what` completes "You are not
 * allowed to …"; `field` names the argument in errors.
 */
export async function requireOnProduct(ctx: Context, type: ProductTreeType, globalId: string | number, permission: Permission, what: string, field = 'id'): Promise<number> {
  const viewer = requireViewer(ctx.viewer);
  const id = decodeId(String(globalId), type, field);
  const productId = await productOf[type](ctx, id);
  if (productId === undefined || !viewer.can('product.view', productId)) throw notFound(`${field}: the ${type.toLowerCase()}`);
  if (!viewer.can(permission, productId)) throw forbidden(what);
  return id;
}

/** connectors and records: the mutation's authScopes already required a global manager */
export async function requireConnector(ctx: Context, globalId: string | number, field = 'id'): Promise<Connector> {
  const c = await ctx.prisma.connector.findUnique({ where: { id: decodeId(String(globalId), 'Connector', field) } });
  if (!c) throw notFound(`${field}: the connector`);
  return c;
}

export async function requireRecord(ctx: Context, globalId: string | number, field = 'recordId'): Promise<ConnectorRecord> {
  const r = await ctx.prisma.record.findUnique({ where: { id: decodeId(String(globalId), 'Record', field) } });
  if (!r) throw notFound(`${field}: the record`);
  return r;
}
