// Tests: one scan's findings inside an engagement (a connector owns exactly one per product).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { recordEvent } from '../notifications/record-event.ts';
import { requireOnProduct } from './access.ts';
import { builder } from './builder.ts';
import { nameRules } from './common.ts';
import { FindingFilter, findingPage, scopedFindingCount } from './finding-filter.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleProducts } from './visibility.ts';

builder.prismaNode('Test', {
  authScopes: canSee.test,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), engagement: { product: visibleProducts(ctx) } }),
  fields: (t) => ({
    title: t.exposeString('title'),
    scanType: t.exposeString('scanType'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    engagement: t.relation('engagement'),
    connector: t.relation('connector', { nullable: true }),
    imports: t.relatedConnection('importHistory', {
      cursor: 'id',
      totalCount: true,
      description: 'what each reimport into this test did, newest first',
      query: { orderBy: { id: 'desc' } },
    }),
    findings: t.prismaConnection({
      type: 'Finding',
      cursor: 'id',
      args: { filter: t.arg({ type: FindingFilter }) },
      resolve: (query, test, args, ctx) => findingPage(ctx, args.filter, { testId: test.id }, query),
      totalCount: (test, args, ctx) => scopedFindingCount(ctx, 'test', test.id, args.filter),
    }),
  }),
});

const findingIds = (ids: number[]) => ids.map((id) => encodeGlobalID('Finding', id));

builder.prismaObject('TestImport', {
  authScopes: canSee.testImport,
  description: "One reimport into a test (DefectDojo's Test_Import): the findings of each outcome.",
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    operation: t.relation('operation', { nullable: true }),
    newFindingIds: t.idList({ select: { newIds: true }, resolve: (i) => findingIds(i.newIds) }),
    closedFindingIds: t.idList({ description: 'absent from the fetch: mitigated', select: { closedIds: true }, resolve: (i) => findingIds(i.closedIds) }),
    reactivatedFindingIds: t.idList({ select: { reactivatedIds: true }, resolve: (i) => findingIds(i.reactivatedIds) }),
    updatedFindingIds: t.idList({ description: 'vendor-side status carried over', select: { updatedIds: true }, resolve: (i) => findingIds(i.updatedIds) }),
    untouchedCount: t.int({ select: { untouchedIds: true }, resolve: (i) => i.untouchedIds.length }),
  }),
});

const TestPayload = objectPayload('TestPayload', 'test', 'Test');

inputMutation('createTest', {
  payload: TestPayload,
  authScopes: { loggedIn: true },
  inputName: 'CreateTestInput',
  fields: (f) => ({ engagementId: f.id({ required: true }), title: f.string({ required: true, validate: nameRules() }), scanType: f.string({ validate: { maxLength: 200 } }) }),
  resolve: async (input, ctx) => {
    const engagementId = await requireOnProduct(ctx, 'Engagement', input.engagementId, 'test.add', 'add tests to this engagement', 'engagementId');
    const test = await ctx.prisma.$transaction(async (tx) => {
      const created = await tx.test.create({ data: { engagementId, title: input.title.trim(), scanType: input.scanType ?? '' }, include: { engagement: { include: { product: { select: { name: true } } } } } });
      const { productId, name, product } = created.engagement;
      await recordEvent(tx, 'test_added', { productId, title: `Test ${created.title} added to ${product.name} / ${name}`, path: `/products/${productId}` });
      return created;
    });
    return { id: test.id };
  },
});

inputMutation('updateTest', {
  payload: TestPayload,
  authScopes: { loggedIn: true },
  inputName: 'UpdateTestInput',
  fields: (f) => ({ id: f.id({ required: true }), title: f.string({ validate: nameRules() }) }),
  resolve: async (input, ctx) => {
    const id = await requireOnProduct(ctx, 'Test', input.id, 'test.edit', 'edit this test');
    if (input.title != null) await ctx.prisma.test.update({ where: { id }, data: { title: input.title.trim() } });
    return { id };
  },
});

deleteMutation('Test', {
  authScopes: { loggedIn: true },
  check: (ctx, globalId, field) => requireOnProduct(ctx, 'Test', globalId, 'test.delete', 'delete this test', field),
  remove: async (ctx, id) => (await ctx.prisma.test.deleteMany({ where: { id } })).count,
});
