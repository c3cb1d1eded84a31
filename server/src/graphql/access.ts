// The one check every write on the product hierarchy makes: decode the id, find the product the
// thing belongs to, answer NOT_FOUND when the viewer may not see it (no hint that it exists) and
// FORBIDDEN when they may see it but not do this.
import type { Permission } from '../auth/permissions.ts';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import { decodeId, notFound } from './common.ts';
import type { Context } from './context.ts';

export async function requireOnProduct(
  ctx: Context,
  target: { typename: string; noun: string; globalId: string; field: string },
  productIdOf: (id: number) => Promise<number | undefined>,
  permission: Permission,
  what: string,
): Promise<number> {
  const viewer = requireViewer(ctx.viewer);
  const id = decodeId(target.globalId, target.typename, target.field);
  const productId = await productIdOf(id);
  if (productId === undefined || !viewer.can('product.view', productId)) throw notFound(`${target.field}: the ${target.noun}`);
  if (!viewer.can(permission, productId)) throw forbidden(what);
  return id;
}
