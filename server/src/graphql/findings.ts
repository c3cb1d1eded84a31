// Findings: what the tools found, with DefectDojo's status flags, dedupe keys and SLA dates.
import type { Prisma, Severity } from '@tributary/db';
import { requireViewer } from '../auth/viewer.ts';
import type { Permission } from '../auth/permissions.ts';
import { builder } from './builder.ts';
import { canSee, visibleProducts } from './visibility.ts';
import { SeverityEnum, decodeId, nameRules, notFound } from './common.ts';
import { requireOnProduct } from './access.ts';
import type { Context } from './context.ts';
import { DeletePayload } from './products.ts';
import { requireTest } from './tests.ts';

export const FindingFilter = builder.inputType('FindingFilter', {
  fields: (t) => ({
    productId: t.id(),
    testId: t.id(),
    active: t.boolean(),
    severities: t.field({ type: [SeverityEnum], validate: { maxLength: 5 } }),
  }),
});

type FilterInput = { productId?: string | number | null; testId?: string | number | null; active?: boolean | null; severities?: readonly string[] | null } | null | undefined;

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
  if (filter?.severities?.length) where.severity = { in: filter.severities as Severity[] };
  return where;
}

builder.prismaNode('Finding', {
  authScopes: canSee.finding,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), test: { engagement: { product: visibleProducts(ctx) } } }),
  fields: (t) => ({
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    severity: t.expose('severity', { type: SeverityEnum }),
    active: t.exposeBoolean('active'),
    verified: t.exposeBoolean('verified'),
    falsePositive: t.exposeBoolean('falsePositive'),
    riskAccepted: t.exposeBoolean('riskAccepted'),
    outOfScope: t.exposeBoolean('outOfScope'),
    duplicate: t.exposeBoolean('duplicate'),
    underReview: t.exposeBoolean('underReview'),
    isMitigated: t.exposeBoolean('isMitigated'),
    mitigatedAt: t.expose('mitigatedAt', { type: 'DateTime', nullable: true }),
    lastStatusUpdate: t.expose('lastStatusUpdate', { type: 'DateTime', nullable: true }),
    uniqueIdFromTool: t.exposeString('uniqueIdFromTool', { nullable: true }),
    vulnIdFromTool: t.exposeString('vulnIdFromTool', { nullable: true }),
    hashCode: t.exposeString('hashCode', { nullable: true }),
    filePath: t.exposeString('filePath', { nullable: true }),
    line: t.exposeInt('line', { nullable: true }),
    cwe: t.exposeInt('cwe', { nullable: true }),
    vulnerabilityIds: t.exposeStringList('vulnerabilityIds'),
    componentName: t.exposeString('componentName', { nullable: true }),
    componentVersion: t.exposeString('componentVersion', { nullable: true }),
    service: t.exposeString('service', { nullable: true }),
    mitigation: t.exposeString('mitigation', { nullable: true }),
    references: t.exposeString('references', { nullable: true }),
    vendorUrl: t.exposeString('vendorUrl', { nullable: true }),
    fixAvailable: t.exposeBoolean('fixAvailable', { nullable: true }),
    fixVersion: t.exposeString('fixVersion', { nullable: true }),
    cvssScore: t.exposeFloat('cvssScore', { nullable: true }),
    cvssVector: t.exposeString('cvssVector', { nullable: true }),
    epssScore: t.exposeFloat('epssScore', { nullable: true }),
    knownExploited: t.exposeBoolean('knownExploited'),
    date: t.expose('date', { type: 'DateTime' }),
    slaStartDate: t.expose('slaStartDate', { type: 'DateTime', nullable: true }),
    slaExpirationDate: t.expose('slaExpirationDate', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    test: t.relation('test'),
    notes: t.relatedConnection('notes', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
  }),
});

builder.prismaNode('FindingNote', {
  authScopes: canSee.findingNote,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), finding: { test: { engagement: { product: visibleProducts(ctx) } } } }),
  fields: (t) => ({
    text: t.exposeString('text'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    author: t.relation('author', { nullable: true }),
  }),
});

builder.queryField('findings', (t) =>
  t.prismaConnection({
    type: 'Finding',
    cursor: 'id',
    authScopes: { loggedIn: true },
    description: 'Findings the viewer may see, most severe first (ties by id, so pages are stable).',
    args: { filter: t.arg({ type: FindingFilter }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.finding.findMany({ ...query, where: findingWhere(ctx, args.filter, {}), orderBy: [{ severity: 'asc' }, { id: 'asc' }] }),
    totalCount: (_root, args, ctx) => ctx.prisma.finding.count({ where: findingWhere(ctx, args.filter, {}) }),
  }));

const FindingPayload = builder.objectRef<{ findingId: number }>('FindingPayload').implement({
  fields: (t) => ({
    finding: t.prismaField({ type: 'Finding', resolve: (query, p, _a, ctx) => ctx.prisma.finding.findUniqueOrThrow({ ...query, where: { id: p.findingId } }) }),
  }),
});

const text = (max: number) => ({ validate: { maxLength: max } }) as const;

const findingFields = (f: any, required: boolean) => ({
  title: f.string({ required, validate: nameRules(500) }),
  severity: f.field({ type: SeverityEnum, required }),
  description: f.string(text(1_000_000)),
  filePath: f.string(text(4096)),
  line: f.int({ validate: { min: 0 } }),
  cwe: f.int({ validate: { min: 0, max: 100_000 } }),
  vulnerabilityIds: f.stringList({ validate: { maxLength: 100, items: { maxLength: 200 } } }),
  componentName: f.string(text(500)),
  componentVersion: f.string(text(200)),
  mitigation: f.string(text(100_000)),
  references: f.string(text(100_000)),
});

builder.mutationField('createFinding', (t) =>
  t.field({
    type: FindingPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateFindingInput', { fields: (f) => ({ testId: f.id({ required: true }), ...findingFields(f, true) }) }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const testId = await requireTest(ctx, String(input.testId), 'finding.add', 'add findings to this test', 'testId');
      const { testId: _ignored, ...data } = input as Record<string, any>;
      // null in a column that has a default (description, vulnerabilityIds) means the default
      const finding = await ctx.prisma.finding.create({ data: { ...data, title: data.title.trim(), description: data.description ?? '', testId, vulnerabilityIds: data.vulnerabilityIds ?? [] } as any });
      return { findingId: finding.id };
    },
  }));

builder.mutationField('updateFinding', (t) =>
  t.field({
    type: FindingPayload,
    description: 'Edits a finding. Status flags follow DefectDojo: a false positive, out-of-scope, risk-accepted or mitigated finding is inactive.',
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateFindingInput', {
          fields: (f) => ({
            id: f.id({ required: true }),
            ...findingFields(f, false),
            verified: f.boolean(),
            falsePositive: f.boolean(),
            riskAccepted: f.boolean(),
            outOfScope: f.boolean(),
            underReview: f.boolean(),
            isMitigated: f.boolean(),
          }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { id: globalId, ...changes } = input as Record<string, any>;
      const permission: Permission = changes.riskAccepted !== undefined ? 'finding.riskAccept' : 'finding.edit';
      const id = await requireFinding(ctx, String(globalId), permission, 'edit this finding');
      const current = await ctx.prisma.finding.findUniqueOrThrow({ where: { id } });
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(changes)) if (v !== undefined && v !== null) data[k] = typeof v === 'string' && k === 'title' ? v.trim() : v;
      const flags = { ...current, ...data } as typeof current;
      const statusChanged = ['verified', 'falsePositive', 'riskAccepted', 'outOfScope', 'underReview', 'isMitigated'].some((k) => k in data && (data as any)[k] !== (current as any)[k]);
      if (statusChanged) {
        data.active = !(flags.falsePositive || flags.riskAccepted || flags.outOfScope || flags.isMitigated || flags.duplicate);
        data.lastStatusUpdate = new Date();
        if ('isMitigated' in data) {
          data.mitigatedAt = flags.isMitigated ? (current.mitigatedAt ?? new Date()) : null;
          data.mitigatedById = flags.isMitigated ? requireViewer(ctx.viewer).id : null;
        }
      }
      await ctx.prisma.finding.update({ where: { id }, data });
      return { findingId: id };
    },
  }));

builder.mutationField('deleteFinding', (t) =>
  t.field({
    type: DeletePayload,
    authScopes: { loggedIn: true },
    args: { input: t.arg({ required: true, type: builder.inputType('DeleteFindingInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await requireFinding(ctx, String(input.id), 'finding.delete', 'delete this finding');
      const { count } = await ctx.prisma.finding.deleteMany({ where: { id } });
      if (count === 0) throw notFound('id: the finding');
      return { deletedId: String(input.id) };
    },
  }));

builder.mutationField('addFindingNote', (t) =>
  t.field({
    type: FindingPayload,
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AddFindingNoteInput', { fields: (f) => ({ findingId: f.id({ required: true }), text: f.string({ required: true, validate: { minLength: 1, maxLength: 100_000 } }) }) }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const findingId = await requireFinding(ctx, String(input.findingId), 'note.add', 'add notes to this finding', 'findingId');
      await ctx.prisma.findingNote.create({ data: { findingId, text: input.text, authorId: requireViewer(ctx.viewer).id } });
      return { findingId };
    },
  }));

function requireFinding(ctx: Context, globalId: string, permission: Permission, what: string, field = 'id'): Promise<number> {
  return requireOnProduct(ctx, { typename: 'Finding', noun: 'finding', globalId, field },
    async (id) => (await ctx.prisma.finding.findUnique({ where: { id }, select: { test: { select: { engagement: { select: { productId: true } } } } } }))?.test.engagement.productId,
    permission, what);
}
