// Records: one per vendor-equivalent product a connector discovered, and the analyst's actions on
// them (map, ignore, restore, delete — the rules are operations/record-actions.ts). Record actions
// are connector management: superusers and global Maintainers/Owners.
import type { PrismaClient, Record as ConnectorRecord } from '@tributary/db';
import * as recordActions from '../operations/record-actions.ts';
import { requireRecord } from './access.ts';
import { builder } from './builder.ts';
import { nameRules } from './common.ts';
import { RecordStateEnum } from './enums.ts';
import { badInput, notFound } from './errors.ts';
import { decodeId } from './global-id.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';

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

const RecordPayload = objectPayload('RecordPayload', 'record', 'Record');

inputMutation('mapRecord', {
  payload: RecordPayload,
  description: 'Maps a record to an existing product (productId) or a new one (productName); it becomes GOOD and is synced.',
  authScopes: { globalManager: true },
  inputName: 'MapRecordInput',
  fields: (f) => ({ recordId: f.id({ required: true }), productId: f.id(), productName: f.string({ validate: nameRules() }) }),
  resolve: async (input, ctx) => {
    const record = await requireRecord(ctx, input.recordId);
    if ((input.productId == null) === (input.productName == null)) throw badInput('give exactly one of productId and productName', input.productId == null ? 'productId' : 'productName');
    if (input.productId != null) {
      const productId = decodeId(String(input.productId), 'Product', 'productId');
      if (!(await ctx.prisma.product.count({ where: { id: productId } }))) throw notFound('productId: the product');
      await recordActions.mapToProduct(ctx.prisma, record, productId);
    } else {
      await recordActions.mapToNewProduct(ctx.prisma, record, input.productName!.trim());
    }
    return { id: record.id };
  },
});

function recordAction(name: string, inputName: string, description: string, action: (prisma: PrismaClient, record: ConnectorRecord) => Promise<void>) {
  inputMutation(name, {
    payload: RecordPayload,
    description,
    authScopes: { globalManager: true },
    inputName,
    fields: (f) => ({ recordId: f.id({ required: true }) }),
    resolve: async (input, ctx) => {
      const record = await requireRecord(ctx, input.recordId);
      await action(ctx.prisma, record);
      return { id: record.id };
    },
  });
}

recordAction('ignoreRecord', 'IgnoreRecordInput', 'IGNORED records are never synced and discover never changes them back.', recordActions.ignore);
recordAction('restoreRecord', 'RestoreRecordInput', 'IGNORED → NEW (with auto-mapping on, the next discover maps it again).', recordActions.restore);

deleteMutation('Record', {
  description: 'Removes the record only: findings, tests, engagements and products stay. The next discover finds the project again as NEW.',
  authScopes: { globalManager: true },
  idField: 'recordId',
  check: async (ctx, globalId, field) => (await requireRecord(ctx, globalId, field)).id,
  remove: (ctx, id) => recordActions.remove(ctx.prisma, id),
});
