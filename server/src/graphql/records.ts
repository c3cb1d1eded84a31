// Records: one per vendor-equivalent product a connector discovered, and the analyst's actions on
// them (map, ignore, restore, delete). State rules: DESIGN.md "Record states".
import { GraphQLError } from 'graphql';
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';
import { badInput, decodeId, nameRules, notFound, rethrowConflict } from './common.ts';
import type { Context } from './context.ts';
import { DeletePayload } from './products.ts';

export const RecordStateEnum = builder.enumType('RecordState', { values: ['NEW', 'GOOD', 'IGNORED', 'STALE', 'MISSING'] as const });

builder.prismaNode('Record', {
  authScopes: canSee.record,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleToGlobalRoles(ctx) }),
  fields: (t) => ({
    connector: t.relation('connector'),
    vendorKey: t.exposeString('vendorKey', { description: "the tool's stable key for the project (never its name)" }),
    name: t.exposeString('name'),
    state: t.expose('state', { type: RecordStateEnum }),
    product: t.relation('product', { nullable: true }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    firstDiscoveredAt: t.expose('firstDiscoveredAt', { type: 'DateTime' }),
    lastDiscoveredAt: t.expose('lastDiscoveredAt', { type: 'DateTime' }),
    finalizedAt: t.expose('finalizedAt', { type: 'DateTime', nullable: true, description: 'when a person last mapped it' }),
  }),
});

const RecordPayload = builder.objectRef<{ recordId: number }>('RecordPayload').implement({
  fields: (t) => ({
    record: t.prismaField({ type: 'Record', resolve: (query, p, _a, ctx) => ctx.prisma.record.findUniqueOrThrow({ ...query, where: { id: p.recordId } }) }),
  }),
});

/** Record actions are connector management: superusers and global Maintainers/Owners. */
async function requireRecord(ctx: Context, globalId: string) {
  const viewer = requireViewer(ctx.viewer);
  const id = decodeId(globalId, 'Record', 'recordId');
  const record = viewer.seesAllProducts ? await ctx.prisma.record.findUnique({ where: { id } }) : null;
  if (!record) throw notFound('recordId: the record');
  if (!viewer.isGlobalManager) throw new GraphQLError('You are not allowed to manage connector records.', { extensions: { code: 'FORBIDDEN' } });
  return record;
}

const recordIdInput = (name: string) => builder.inputType(name, { fields: (f) => ({ recordId: f.id({ required: true }) }) });

builder.mutationField('mapRecord', (t) =>
  t.field({
    type: RecordPayload,
    description: 'Maps a record to an existing product (productId) or a new one (productName); it becomes GOOD and is synced.',
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('MapRecordInput', {
          fields: (f) => ({ recordId: f.id({ required: true }), productId: f.id(), productName: f.string({ validate: nameRules() }) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const record = await requireRecord(ctx, String(input.recordId));
      if ((input.productId == null) === (input.productName == null)) throw badInput('give exactly one of productId and productName', input.productId == null ? 'productId' : 'productName');
      const data = { state: 'GOOD' as const, finalizedAt: new Date() };
      if (input.productId != null) {
        const productId = decodeId(String(input.productId), 'Product', 'productId');
        if (!(await ctx.prisma.product.count({ where: { id: productId } }))) throw notFound('productId: the product');
        await ctx.prisma.record.update({ where: { id: record.id }, data: { ...data, productId } });
      } else {
        const name = input.productName!.trim();
        try {
          await ctx.prisma.$transaction(async (tx) => {
            const product = await tx.product.create({ data: { name, description: `Created for ${record.name}` } });
            await tx.record.update({ where: { id: record.id }, data: { ...data, productId: product.id } });
          });
        } catch (e) {
          rethrowConflict(e, 'productName', `a product named "${name}" already exists: map to it with productId`);
        }
      }
      return { recordId: record.id };
    },
  }));

builder.mutationField('ignoreRecord', (t) =>
  t.field({
    type: RecordPayload,
    description: 'IGNORED records are never synced and discover never changes them back.',
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: recordIdInput('IgnoreRecordInput') }) },
    resolve: async (_root, { input }, ctx) => {
      const record = await requireRecord(ctx, String(input.recordId));
      await ctx.prisma.record.update({ where: { id: record.id }, data: { state: 'IGNORED' } });
      return { recordId: record.id };
    },
  }));

builder.mutationField('restoreRecord', (t) =>
  t.field({
    type: RecordPayload,
    description: 'IGNORED → NEW (with auto-mapping on, the next discover maps it again).',
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: recordIdInput('RestoreRecordInput') }) },
    resolve: async (_root, { input }, ctx) => {
      const record = await requireRecord(ctx, String(input.recordId));
      if (record.state !== 'IGNORED') throw badInput(`recordId: only an IGNORED record can be restored (this one is ${record.state})`, 'recordId');
      await ctx.prisma.record.update({ where: { id: record.id }, data: { state: 'NEW', productId: null } });
      return { recordId: record.id };
    },
  }));

builder.mutationField('deleteRecord', (t) =>
  t.field({
    type: DeletePayload,
    description: 'Removes the record only: findings, tests, engagements and products stay. The next discover finds the project again as NEW.',
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: recordIdInput('DeleteRecordInput') }) },
    resolve: async (_root, { input }, ctx) => {
      const record = await requireRecord(ctx, String(input.recordId));
      const { count } = await ctx.prisma.record.deleteMany({ where: { id: record.id } });
      if (count === 0) throw notFound('recordId: the record');
      return { deletedId: String(input.recordId) };
    },
  }));
