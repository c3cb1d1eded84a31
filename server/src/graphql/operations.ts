// Operations: each discover or sync run of a connector, newest first.
import { emptyStats, type FindingRejection, type OperationStats } from '../operations/stats.ts';
import { builder } from './builder.ts';
import { OperationStatusEnum, OperationTriggerEnum, OperationTypeEnum } from './enums.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';

const OperationStatsRef = builder.objectRef<OperationStats>('OperationStats').implement({
  fields: (t) => ({
    recordsDiscovered: t.exposeInt('recordsDiscovered'),
    recordsNew: t.exposeInt('recordsNew'),
    recordsMissing: t.exposeInt('recordsMissing'),
    recordsSynced: t.exposeInt('recordsSynced'),
    findingsNew: t.exposeInt('findingsNew'),
    findingsClosed: t.exposeInt('findingsClosed'),
    findingsReactivated: t.exposeInt('findingsReactivated'),
    findingsUntouched: t.exposeInt('findingsUntouched'),
    findingsRejected: t.exposeInt('findingsRejected', { description: "findings of the tool's reports that could not be imported (bad input); see Operation.rejections" }),
  }),
});

const FindingRejectionRef = builder.objectRef<FindingRejection>('FindingRejection').implement({
  description: 'A finding a sync could not import, and why.',
  fields: (t) => ({
    record: t.exposeString('record', { description: "the record's vendorKey the finding came from" }),
    reason: t.exposeString('reason'),
  }),
});

const statsOf = (op: { stats: unknown }): OperationStats => ({ ...emptyStats(), ...(op.stats as Partial<OperationStats>) });

builder.prismaNode('Operation', {
  authScopes: canSee.operation,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  // operations belong to connectors, which only global roles see
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleToGlobalRoles(ctx) }),
  fields: (t) => ({
    connector: t.relation('connector'),
    type: t.expose('type', { type: OperationTypeEnum }),
    status: t.expose('status', { type: OperationStatusEnum }),
    trigger: t.expose('trigger', { type: OperationTriggerEnum }),
    triggeredBy: t.relation('triggeredBy', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'why it failed; secrets are removed' }),
    stats: t.field({ type: OperationStatsRef, select: { stats: true }, resolve: statsOf }),
    rejections: t.field({
      type: [FindingRejectionRef],
      select: { stats: true },
      description: 'the first findings a sync could not import (up to 20), in import order; stats.findingsRejected counts them all',
      resolve: (op) => statsOf(op).rejections,
    }),
    progress: t.expose('progress', { type: 'JSON', description: 'while RUNNING: recordsDone, recordsTotal, findings (sync) or recordsDiscovered (discover)' }),
  }),
});
