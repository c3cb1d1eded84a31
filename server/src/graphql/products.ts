// Products: the top of the hierarchy, and the unit of access (memberships are per product).
import { requireViewer } from '../auth/viewer.ts';
import { recordEvent } from '../notifications/record-event.ts';
import { requireOnProduct } from './access.ts';
import { builder } from './builder.ts';
import { nameRules, rethrowConflict } from './common.ts';
import type { Context } from './context.ts';
import { FindingFilter, findingPage, scopedFindingCount } from './finding-filter.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleProducts } from './visibility.ts';

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
      resolve: (query, product, args, ctx) => findingPage(ctx, args.filter, { productId: product.id }, query),
      // a list of products asks for all its counts, whatever the filters, in one query
      totalCount: (product, args, ctx) => scopedFindingCount(ctx, 'product', product.id, args.filter),
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

const ProductPayload = objectPayload('ProductPayload', 'product', 'Product');

const description = { validate: { maxLength: 20_000 } } as const;

inputMutation('createProduct', {
  payload: ProductPayload,
  authScopes: { globalManager: true },
  inputName: 'CreateProductInput',
  fields: (f) => ({ name: f.string({ required: true, validate: nameRules() }), description: f.string(description) }),
  resolve: async (input, ctx) => {
    try {
      const p = await ctx.prisma.$transaction(async (tx) => {
        const created = await tx.product.create({ data: { name: input.name.trim(), description: input.description ?? '' } });
        await recordEvent(tx, 'product_added', { productId: created.id, title: `Product ${created.name} added`, description: created.description, path: `/products/${created.id}` });
        return created;
      });
      return { id: p.id };
    } catch (e) {
      rethrowConflict(e, 'name', `a product named "${input.name.trim()}" already exists`);
    }
  },
});

inputMutation('updateProduct', {
  payload: ProductPayload,
  authScopes: { loggedIn: true },
  inputName: 'UpdateProductInput',
  fields: (f) => ({ id: f.id({ required: true }), name: f.string({ validate: nameRules() }), description: f.string(description) }),
  resolve: async (input, ctx) => {
    const id = await requireOnProduct(ctx, 'Product', input.id, 'product.edit', 'edit this product');
    try {
      await ctx.prisma.product.update({
        where: { id },
        data: { ...(input.name != null ? { name: input.name.trim() } : {}), ...(input.description != null ? { description: input.description } : {}) },
      });
    } catch (e) {
      rethrowConflict(e, 'name', `a product named "${input.name?.trim()}" already exists`);
    }
    return { id };
  },
});

deleteMutation('Product', {
  description: 'Deletes the product with its engagements, tests and findings; connector records mapped to it become STALE.',
  authScopes: { loggedIn: true },
  check: (ctx, globalId, field) => requireOnProduct(ctx, 'Product', globalId, 'product.delete', 'delete this product', field),
  remove: async (ctx, id) => (await ctx.prisma.product.deleteMany({ where: { id } })).count,
});
