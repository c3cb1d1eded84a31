// Products: the top of the hierarchy, and the unit of access (memberships are per product).
import type { Permission } from '../auth/permissions.ts';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import { canSee, visibleProducts } from './visibility.ts';
import { nameRules, notFound, rethrowConflict } from './common.ts';
import { requireOnProduct } from './access.ts';
import { requestLoader, type Context } from './context.ts';
import { FindingFilter, findingWhere } from './findings.ts';

builder.prismaNode('Product', {
  authScopes: canSee.product,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), AND: [visibleProducts(ctx)] }),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    engagements: t.relatedConnection('engagements', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
    members: t.relatedConnection('members', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
    findings: t.prismaConnection({
      type: 'Finding',
      cursor: 'id',
      args: { filter: t.arg({ type: FindingFilter }) },
      resolve: (query, product, args, ctx) =>
        ctx.prisma.finding.findMany({ ...query, where: findingWhere(ctx, args.filter, { productId: product.id }), orderBy: [{ severity: 'asc' }, { id: 'asc' }] }),
      // a list of products asks for all its counts in one round (two queries), not one per product
      totalCount: async (product, args, ctx) => (await requestLoader(ctx, `productFindingCount:${JSON.stringify(args.filter ?? {})}`,
        (ids: number[]) => countFindingsByProduct(ctx, ids, args.filter)).load(product.id)) ?? 0,
    }),
  }),
});

builder.queryField('products', (t) =>
  t.prismaConnection({
    type: 'Product',
    cursor: 'id',
    authScopes: { loggedIn: true },
    args: { search: t.arg.string({ validate: { maxLength: 200 } }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.product.findMany({ ...query, where: productWhere(ctx, args.search), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    totalCount: (_root, args, ctx) => ctx.prisma.product.count({ where: productWhere(ctx, args.search) }),
  }));

function productWhere(ctx: Context, search?: string | null) {
  return {
    ...requireViewer(ctx.viewer).productScope(),
    ...(search ? { name: { contains: search, mode: 'insensitive' as const } } : {}),
  };
}

const ProductPayload = builder.objectRef<{ productId: number }>('ProductPayload').implement({
  fields: (t) => ({
    product: t.prismaField({ type: 'Product', resolve: (query, p, _a, ctx) => ctx.prisma.product.findUniqueOrThrow({ ...query, where: { id: p.productId } }) }),
  }),
});

export const DeletePayload = builder.objectRef<{ deletedId: string }>('DeletePayload').implement({
  fields: (t) => ({ deletedId: t.exposeID('deletedId') }),
});

const description = { validate: { maxLength: 20_000 } } as const;

builder.mutationField('createProduct', (t) =>
  t.field({
    type: ProductPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({ required: true, type: builder.inputType('CreateProductInput', { fields: (f) => ({ name: f.string({ required: true, validate: nameRules() }), description: f.string(description) }) }) }),
    },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      // DefectDojo: adding products needs a global Maintainer/Owner role (Product_Type_Add)
      if (!viewer.isGlobalManager) throw forbidden('create products');
      try {
        const p = await ctx.prisma.product.create({ data: { name: input.name.trim(), description: input.description ?? '' } });
        return { productId: p.id };
      } catch (e) {
        rethrowConflict(e, 'name', `a product named "${input.name.trim()}" already exists`);
      }
    },
  }));

builder.mutationField('updateProduct', (t) =>
  t.field({
    type: ProductPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateProductInput', {
          fields: (f) => ({ id: f.id({ required: true }), name: f.string({ validate: nameRules() }), description: f.string(description) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const id = await requireProduct(ctx, String(input.id), 'product.edit', 'edit this product');
      try {
        await ctx.prisma.product.update({
          where: { id },
          data: { ...(input.name != null ? { name: input.name.trim() } : {}), ...(input.description != null ? { description: input.description } : {}) },
        });
      } catch (e) {
        rethrowConflict(e, 'name', `a product named "${input.name?.trim()}" already exists`);
      }
      return { productId: id };
    },
  }));

builder.mutationField('deleteProduct', (t) =>
  t.field({
    type: DeletePayload,
    description: 'Deletes the product with its engagements, tests and findings; connector records mapped to it become STALE.',
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: builder.inputType('DeleteProductInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await requireProduct(ctx, String(input.id), 'product.delete', 'delete this product');
      const { count } = await ctx.prisma.product.deleteMany({ where: { id } });
      if (count === 0) throw notFound('id: the product');
      return { deletedId: String(input.id) };
    },
  }));

async function countFindingsByProduct(ctx: Context, productIds: number[], filter: Parameters<typeof findingWhere>[1]): Promise<Map<number, number>> {
  const where = { AND: [findingWhere(ctx, filter, {}), { test: { engagement: { productId: { in: productIds } } } }] };
  const perTest = await ctx.prisma.finding.groupBy({ by: ['testId'], where, _count: { _all: true } });
  const tests = await ctx.prisma.test.findMany({ where: { id: { in: perTest.map((g) => g.testId) } }, select: { id: true, engagement: { select: { productId: true } } } });
  const productOf = new Map(tests.map((t) => [t.id, t.engagement.productId]));
  const counts = new Map<number, number>();
  for (const g of perTest) {
    const productId = productOf.get(g.testId)!;
    counts.set(productId, (counts.get(productId) ?? 0) + g._count._all);
  }
  return counts;
}

/** Decodes a product id, checks it exists and is visible, then checks the permission. */
export function requireProduct(ctx: Context, globalId: string, permission: Permission, what: string, field = 'id'): Promise<number> {
  return requireOnProduct(ctx, { typename: 'Product', noun: 'product', globalId, field },
    async (id) => ((await ctx.prisma.product.count({ where: { id } })) > 0 ? id : undefined), permission, what);
}
