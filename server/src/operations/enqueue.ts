// Starting an operation: the Operation row and its graphile-worker job are written in ONE
// transaction, so there is never a job without a row or a PENDING row without a job. Jobs of one
// connector share a named queue, so they run one at a time: a discover never races a sync.
import type { Operation, OperationTrigger, OperationType, Prisma, PrismaClient } from '@tributary/db';

export const RUN_OPERATION_TASK = 'run_operation';

export function connectorQueue(connectorId: number): string {
  return `connector:${connectorId}`;
}

/** Adds the job for an operation inside the caller's transaction. */
async function addOperationJob(tx: Prisma.TransactionClient, operationId: number, connectorId: number): Promise<void> {
  // 25 attempts with graphile-worker's exponential backoff (~3 days): a worker killed mid-run is
  // retried; a permanent failure ends as FAILED on the first attempt instead (see run.ts)
  await tx.$executeRaw`SELECT graphile_worker.add_job(
    ${RUN_OPERATION_TASK}, json_build_object('operationId', ${operationId}::int),
    queue_name => ${connectorQueue(connectorId)}, max_attempts => 25, job_key => ${`operation:${operationId}`})`;
}

export interface OperationRequest {
  connectorId: number;
  type: OperationType;
  trigger: OperationTrigger;
  userId?: number | null;
}

/**
 * Queues an operation inside the caller's transaction, which must hold the connector row locked
 * (FOR UPDATE), so two callers cannot both find nothing waiting. A PENDING operation of the same type
 * already waiting is returned instead of queueing a second one: pressing "Discover" twice, or a
 * schedule firing while a manual run waits, does the work once.
 */
export async function enqueueOperation(tx: Prisma.TransactionClient, args: OperationRequest): Promise<Operation> {
  const pending = await tx.operation.findFirst({ where: { connectorId: args.connectorId, type: args.type, status: 'PENDING' } });
  if (pending) return pending;
  const op = await tx.operation.create({
    data: { connectorId: args.connectorId, type: args.type, trigger: args.trigger, triggeredById: args.userId ?? null },
  });
  await addOperationJob(tx, op.id, args.connectorId);
  return op;
}

/** Starts an operation in a transaction of its own (a user's "Discover" / "Sync"). */
export async function startOperation(prisma: PrismaClient, args: OperationRequest): Promise<Operation> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "Connector" WHERE id = ${args.connectorId} FOR UPDATE`;
    return enqueueOperation(tx, args);
  });
}
