// Findings: what the tools found, with DefectDojo's status flags, dedupe keys and SLA dates.
import type { Permission } from '../auth/permissions.ts';
import { requireViewer } from '../auth/viewer.ts';
import type { Prisma } from '@tributary/db';
import { mentionedUserIds } from '../notifications/mentions.ts';
import { recordEvent } from '../notifications/record-event.ts';
import { STATUS_FLAGS, isActive } from '../operations/finding-status.ts';
import { refreshSla } from '../operations/sla.ts';
import { requireOnProduct } from './access.ts';
import { builder, type InputFieldBuilder } from './builder.ts';
import { nameRules } from './common.ts';
import { SeverityEnum } from './enums.ts';
import { FindingFilter, countFindings, findingPage } from './finding-filter.ts';
import { decodeId } from './global-id.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleProducts } from './visibility.ts';

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
    vendorUrl: t.exposeString('vendorUrl', { nullable: true, description: 'a link back to this finding in the tool' }),
    fixAvailable: t.exposeBoolean('fixAvailable', { nullable: true }),
    fixVersion: t.exposeString('fixVersion', { nullable: true, description: 'the version that fixes it, as the tool states it' }),
    cvssScore: t.exposeFloat('cvssScore', { nullable: true, description: 'CVSS v3.x base score' }),
    cvssVector: t.exposeString('cvssVector', { nullable: true, description: 'CVSS v3.x vector' }),
    cvssV4Score: t.exposeFloat('cvssV4Score', { nullable: true, description: 'CVSS v4.0 base score' }),
    cvssV4Vector: t.exposeString('cvssV4Vector', { nullable: true, description: 'CVSS v4.0 vector' }),
    epssScore: t.exposeFloat('epssScore', { nullable: true, description: 'EPSS probability of exploitation (0–1)' }),
    epssPercentile: t.exposeFloat('epssPercentile', { nullable: true, description: 'EPSS percentile (0–1)' }),
    knownExploited: t.exposeBoolean('knownExploited', { description: 'listed as known exploited (CISA KEV or the tool\'s own flag)' }),
    cwes: t.exposeIntList('cwes', { description: 'every CWE the tool links; `cwe` is the first' }),
    endLine: t.exposeInt('endLine', { nullable: true, description: 'last line of the location, when it spans several' }),
    toolName: t.exposeString('toolName', { nullable: true, description: 'the scanner that reported it' }),
    toolVersion: t.exposeString('toolVersion', { nullable: true }),
    codeClassification: t.exposeString('codeClassification', {
      nullable: true, description: 'the tool\'s classification of the code as not production code (test, generated, library …); such findings are out of scope' }),
    dismissedInTool: t.exposeBoolean('dismissedInTool', { description: 'dismissed in the tool (whatever the reason); such findings are inactive' }),
    dismissedBy: t.exposeString('dismissedBy', { nullable: true, description: 'who dismissed it in the tool' }),
    dismissedAt: t.expose('dismissedAt', { type: 'DateTime', nullable: true, description: 'when it was dismissed in the tool' }),
    dismissedReason: t.exposeString('dismissedReason', { nullable: true, description: 'the tool\'s reason and the dismissal comment' }),
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
    resolve: (query, _root, args, ctx) => findingPage(ctx, args.filter, {}, query),
    totalCount: (_root, args, ctx) => countFindings(ctx, args.filter, {}),
  }));

const FindingPayload = objectPayload('FindingPayload', 'finding', 'Finding');

const text = (max: number) => ({ validate: { maxLength: max } }) as const;

/** the fields a person may write on create and on update (required on create) */
function findingFields<Required extends boolean>(f: InputFieldBuilder, required: Required) {
  return {
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
  };
}

inputMutation('createFinding', {
  payload: FindingPayload,
  authScopes: { loggedIn: true },
  inputName: 'CreateFindingInput',
  fields: (f) => ({ testId: f.id({ required: true }), ...findingFields(f, true) }),
  resolve: async (input, ctx) => {
    const { testId: testGlobalId, title, description, vulnerabilityIds, ...rest } = input;
    const testId = await requireOnProduct(ctx, 'Test', testGlobalId, 'finding.add', 'add findings to this test', 'testId');
    // null in a column that has a default (description, vulnerabilityIds) means the default
    const finding = await ctx.prisma.$transaction(async (tx) => {
      const created = await tx.finding.create({
        data: { ...rest, testId, title: title.trim(), description: description ?? '', vulnerabilityIds: vulnerabilityIds ?? [] },
      });
      await refreshSla(tx, created.id);
      return created;
    });
    return { id: finding.id };
  },
});

inputMutation('updateFinding', {
  payload: FindingPayload,
  description: 'Edits a finding. Status flags follow DefectDojo: a false positive, out-of-scope, risk-accepted or mitigated finding is inactive.',
  authScopes: { loggedIn: true },
  inputName: 'UpdateFindingInput',
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
  resolve: async (input, ctx) => {
    const { id: globalId, ...changes } = input;
    const permission: Permission = changes.riskAccepted != null ? 'finding.riskAccept' : 'finding.edit';
    const id = await requireOnProduct(ctx, 'Finding', globalId, permission, 'edit this finding');
    const current = await ctx.prisma.finding.findUniqueOrThrow({ where: { id } });
    // a field left out or null keeps its value
    const data = Object.fromEntries(Object.entries(changes).filter(([, v]) => v != null).map(([k, v]) => [k, k === 'title' ? String(v).trim() : v])) as
      Partial<typeof current> & { lastStatusUpdate?: Date };
    const flags = { ...current, ...data };
    if (STATUS_FLAGS.some((k) => k in data && data[k] !== current[k])) {
      data.active = isActive(flags);
      data.lastStatusUpdate = new Date();
      if ('isMitigated' in data) {
        data.mitigatedAt = flags.isMitigated ? (current.mitigatedAt ?? new Date()) : null;
        data.mitigatedById = flags.isMitigated ? requireViewer(ctx.viewer).id : null;
      }
    }
    await ctx.prisma.$transaction(async (tx) => {
      await tx.finding.update({ where: { id }, data });
      if (data.severity && data.severity !== current.severity) await refreshSla(tx, id);
    });
    return { id };
  },
});

deleteMutation('Finding', {
  authScopes: { loggedIn: true },
  check: (ctx, globalId, field) => requireOnProduct(ctx, 'Finding', globalId, 'finding.delete', 'delete this finding', field),
  remove: async (ctx, id) => (await ctx.prisma.finding.deleteMany({ where: { id } })).count,
});

inputMutation('addFindingNote', {
  payload: FindingPayload,
  authScopes: { loggedIn: true },
  inputName: 'AddFindingNoteInput',
  fields: (f) => ({ findingId: f.id({ required: true }), text: f.string({ required: true, validate: { minLength: 1, maxLength: 100_000 } }) }),
  resolve: async (input, ctx) => {
    const findingId = await requireOnProduct(ctx, 'Finding', input.findingId, 'note.add', 'add notes to this finding', 'findingId');
    const author = requireViewer(ctx.viewer);
    await ctx.prisma.$transaction(async (tx) => {
      await tx.findingNote.create({ data: { findingId, text: input.text, authorId: author.id } });
      const mentioned = (await mentionedUserIds(tx, input.text)).filter((id) => id !== author.id);
      if (mentioned.length) await recordEvent(tx, 'user_mentioned', await findingEvent(tx, findingId, mentioned, `${author.user.name || author.user.email} mentioned you on`, input.text));
    });
    return { id: findingId };
  },
});

inputMutation('requestFindingReview', {
  payload: FindingPayload,
  description: 'Puts the finding under review and asks the reviewers (who must be able to see it) to look at it.',
  authScopes: { loggedIn: true },
  inputName: 'RequestFindingReviewInput',
  fields: (f) => ({
    findingId: f.id({ required: true }),
    reviewerIds: f.idList({ required: true, validate: { minLength: 1, maxLength: 20 } }),
    note: f.string({ validate: { maxLength: 10_000 } }),
  }),
  resolve: async (input, ctx) => {
    const findingId = await requireOnProduct(ctx, 'Finding', input.findingId, 'finding.edit', 'request a review of this finding', 'findingId');
    const reviewers = input.reviewerIds.map((id, i) => decodeId(String(id), 'User', `reviewerIds[${i}]`));
    const requester = requireViewer(ctx.viewer);
    await ctx.prisma.$transaction(async (tx) => {
      await tx.finding.update({ where: { id: findingId }, data: { underReview: true, lastStatusUpdate: new Date() } });
      await recordEvent(tx, 'review_requested', await findingEvent(tx, findingId, reviewers, `${requester.user.name || requester.user.email} asks you to review`, input.note ?? ''));
    });
    return { id: findingId };
  },
});

/** an event about one finding for the users named (dispatch keeps only those who may see it) */
async function findingEvent(tx: Prisma.TransactionClient, findingId: number, userIds: number[], lead: string, text: string) {
  const f = await tx.finding.findUniqueOrThrow({ where: { id: findingId }, select: { title: true, test: { select: { engagement: { select: { productId: true } } } } } });
  const productId = f.test.engagement.productId;
  return { productId, userIds, title: `${lead} "${f.title.slice(0, 200)}"`, description: text.slice(0, 2000), path: `/findings/${findingId}`, findingIds: [findingId] };
}
