// Engagements: a product's containers of tests. Connectors file theirs under "Global Connectors".
import { builder } from './builder.ts';
import { canSee, visibleProducts } from './visibility.ts';
import { nameRules, notFound, rethrowConflict } from './common.ts';
import { requireOnProduct } from './access.ts';
import type { Context } from './context.ts';
import { FindingFilter, findingWhere } from './findings.ts';
import { DeletePayload, requireProduct } from './products.ts';
import type { Permission } from '../auth/permissions.ts';

builder.prismaNode('Engagement', {
  authScopes: canSee.engagement,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), product: visibleProducts(ctx) }),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    targetStart: t.expose('targetStart', { type: 'DateTime', nullable: true }),
    targetEnd: t.expose('targetEnd', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    product: t.relation('product'),
    tests: t.relatedConnection('tests', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
    findings: t.prismaConnection({
      type: 'Finding',
      cursor: 'id',
      args: { filter: t.arg({ type: FindingFilter }) },
      resolve: (query, e, args, ctx) =>
        ctx.prisma.finding.findMany({ ...query, where: findingWhere(ctx, args.filter, { engagementId: e.id }), orderBy: [{ severity: 'asc' }, { id: 'asc' }] }),
      totalCount: (e, args, ctx) => ctx.prisma.finding.count({ where: findingWhere(ctx, args.filter, { engagementId: e.id }) }),
    }),
  }),
});

const EngagementPayload = builder.objectRef<{ engagementId: number }>('EngagementPayload').implement({
  fields: (t) => ({
    engagement: t.prismaField({ type: 'Engagement', resolve: (query, p, _a, ctx) => ctx.prisma.engagement.findUniqueOrThrow({ ...query, where: { id: p.engagementId } }) }),
  }),
});

builder.mutationField('createEngagement', (t) =>
  t.field({
    type: EngagementPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateEngagementInput', {
          fields: (f) => ({
            productId: f.id({ required: true }),
            name: f.string({ required: true, validate: nameRules() }),
            description: f.string({ validate: { maxLength: 20_000 } }),
            targetStart: f.field({ type: 'DateTime' }),
            targetEnd: f.field({ type: 'DateTime' }),
          }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const productId = await requireProduct(ctx, String(input.productId), 'engagement.add', 'add engagements to this product', 'productId');
      try {
        const e = await ctx.prisma.engagement.create({
          data: { productId, name: input.name.trim(), description: input.description ?? '', targetStart: input.targetStart, targetEnd: input.targetEnd },
        });
        return { engagementId: e.id };
      } catch (e) {
        rethrowConflict(e, 'name', `this product already has an engagement named "${input.name.trim()}"`);
      }
    },
  }));

builder.mutationField('updateEngagement', (t) =>
  t.field({
    type: EngagementPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateEngagementInput', {
          fields: (f) => ({
            id: f.id({ required: true }),
            name: f.string({ validate: nameRules() }),
            description: f.string({ validate: { maxLength: 20_000 } }),
            targetStart: f.field({ type: 'DateTime' }),
            targetEnd: f.field({ type: 'DateTime' }),
          }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const id = await requireEngagement(ctx, String(input.id), 'engagement.edit', 'edit this engagement');
      try {
        await ctx.prisma.engagement.update({
          where: { id },
          data: {
            ...(input.name != null ? { name: input.name.trim() } : {}),
            ...(input.description != null ? { description: input.description } : {}),
            ...(input.targetStart !== undefined ? { targetStart: input.targetStart } : {}),
            ...(input.targetEnd !== undefined ? { targetEnd: input.targetEnd } : {}),
          },
        });
      } catch (e) {
        rethrowConflict(e, 'name', `this product already has an engagement named "${input.name?.trim()}"`);
      }
      return { engagementId: id };
    },
  }));

builder.mutationField('deleteEngagement', (t) =>
  t.field({
    type: DeletePayload,
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: builder.inputType('DeleteEngagementInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await requireEngagement(ctx, String(input.id), 'engagement.delete', 'delete this engagement');
      const { count } = await ctx.prisma.engagement.deleteMany({ where: { id } });
      if (count === 0) throw notFound('id: the engagement');
      return { deletedId: String(input.id) };
    },
  }));

export function requireEngagement(ctx: Context, globalId: string, permission: Permission, what: string, field = 'id'): Promise<number> {
  return requireOnProduct(ctx, { typename: 'Engagement', noun: 'engagement', globalId, field },
    async (id) => (await ctx.prisma.engagement.findUnique({ where: { id }, select: { productId: true } }))?.productId, permission, what);
}
