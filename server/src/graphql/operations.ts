// Operations: each discover or sync run of a connector, newest first.
import type { OperationStats } from '../operations/stats.ts';
import { emptyStats } from '../operations/stats.ts';
import { builder } from './builder.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';

export const OperationTypeEnum = builder.enumType('OperationType', { values: ['DISCOVER', 'SYNC'] as const });
export const OperationStatusEnum = builder.enumType('OperationStatus', { values: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const });
export const OperationTriggerEnum = builder.enumType('OperationTrigger', { values: ['MANUAL', 'SCHEDULED'] as const });

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
  }),
});

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
    stats: t.field({ type: OperationStatsRef, select: { stats: true }, resolve: (op) => ({ ...emptyStats(), ...(op.stats as Partial<OperationStats>) }) }),
    progress: t.expose('progress', { type: 'JSON', description: 'while RUNNING: recordsDone, recordsTotal, findings (sync) or recordsDiscovered (discover)' }),
  }),
});
