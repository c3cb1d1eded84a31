// Engagements: a product's containers of tests. Connectors file theirs under "Global Connectors".
import { recordEvent } from '../notifications/record-event.ts';
import { closeEngagement, reopenEngagement } from '../operations/engagement-status.ts';
import { requireOnProduct } from './access.ts';
import { builder, type InputFieldBuilder } from './builder.ts';
import { nameRules, rethrowConflict } from './common.ts';
import { EngagementStatusEnum } from './enums.ts';
import { FindingFilter, findingPage, scopedFindingCount } from './finding-filter.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleProducts } from './visibility.ts';

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
    status: t.expose('status', { type: EngagementStatusEnum, description: 'COMPLETED once closed (closeEngagement, or the auto-close sweep)' }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    product: t.relation('product'),
    tests: t.relatedConnection('tests', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
    findings: t.prismaConnection({
      type: 'Finding',
      cursor: 'id',
      args: { filter: t.arg({ type: FindingFilter }) },
      resolve: (query, e, args, ctx) => findingPage(ctx, args.filter, { engagementId: e.id }, query),
      totalCount: (e, args, ctx) => scopedFindingCount(ctx, 'engagement', e.id, args.filter),
    }),
  }),
});

const EngagementPayload = objectPayload('EngagementPayload', 'engagement', 'Engagement');

/** what create and update take (the name required on create) */
function engagementFields<Required extends boolean>(f: InputFieldBuilder, required: Required) {
  return {
    name: f.string({ required, validate: nameRules() }),
    description: f.string({ validate: { maxLength: 20_000 } }),
    targetStart: f.field({ type: 'DateTime' }),
    targetEnd: f.field({ type: 'DateTime' }),
  };
}

inputMutation('createEngagement', {
  payload: EngagementPayload,
  authScopes: { loggedIn: true },
  inputName: 'CreateEngagementInput',
  fields: (f) => ({ productId: f.id({ required: true }), ...engagementFields(f, true) }),
  resolve: async (input, ctx) => {
    const productId = await requireOnProduct(ctx, 'Product', input.productId, 'engagement.add', 'add engagements to this product', 'productId');
    try {
      const e = await ctx.prisma.$transaction(async (tx) => {
        const created = await tx.engagement.create({
          data: { productId, name: input.name.trim(), description: input.description ?? '', targetStart: input.targetStart, targetEnd: input.targetEnd },
          include: { product: { select: { name: true } } },
        });
        await recordEvent(tx, 'engagement_added', { productId, title: `Engagement ${created.name} added to ${created.product.name}`, description: created.description, path: `/products/${productId}` });
        return created;
      });
      return { id: e.id };
    } catch (e) {
      rethrowConflict(e, 'name', `this product already has an engagement named "${input.name.trim()}"`);
    }
  },
});

inputMutation('updateEngagement', {
  payload: EngagementPayload,
  authScopes: { loggedIn: true },
  inputName: 'UpdateEngagementInput',
  fields: (f) => ({ id: f.id({ required: true }), ...engagementFields(f, false) }),
  resolve: async (input, ctx) => {
    const id = await requireOnProduct(ctx, 'Engagement', input.id, 'engagement.edit', 'edit this engagement');
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
    return { id };
  },
});

inputMutation('closeEngagement', {
  payload: EngagementPayload,
  description: 'Closes an open engagement (announced as close_engagement); closing a closed one changes nothing.',
  authScopes: { loggedIn: true },
  inputName: 'CloseEngagementInput',
  fields: (f) => ({ id: f.id({ required: true }) }),
  resolve: async (input, ctx) => {
    const id = await requireOnProduct(ctx, 'Engagement', input.id, 'engagement.edit', 'close this engagement');
    await ctx.prisma.$transaction((tx) => closeEngagement(tx, id));
    return { id };
  },
});

inputMutation('reopenEngagement', {
  payload: EngagementPayload,
  authScopes: { loggedIn: true },
  inputName: 'ReopenEngagementInput',
  fields: (f) => ({ id: f.id({ required: true }) }),
  resolve: async (input, ctx) => {
    const id = await requireOnProduct(ctx, 'Engagement', input.id, 'engagement.edit', 'reopen this engagement');
    await reopenEngagement(ctx.prisma, id);
    return { id };
  },
});

deleteMutation('Engagement', {
  authScopes: { loggedIn: true },
  check: (ctx, globalId, field) => requireOnProduct(ctx, 'Engagement', globalId, 'engagement.delete', 'delete this engagement', field),
  remove: async (ctx, id) => (await ctx.prisma.engagement.deleteMany({ where: { id } })).count,
});
