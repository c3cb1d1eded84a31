// One operation's lifecycle, run by the `run_operation` job: PENDING → RUNNING → SUCCEEDED | FAILED
// with start, end, duration, stats and a redacted error. Idempotent: a finished operation is left
// alone, so a job retried after a crash never runs the work twice. Aborted (the worker process is
// stopping and its grace period ran out) the operation stays RUNNING and the error goes to
// graphile-worker, which releases the job for another worker to run it again.
import type { OperationStatus, Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import type { NotificationEventName } from '../events.ts';
import { kindContext, safeMessage, type KindWithContext } from '../connectors/connection.ts';
import { runDiscover } from './discover.ts';
import { SyncFailures, runSync } from './sync.ts';
import { emptyStats, type OperationStats } from './stats.ts';

export async function runOperation(services: Services, operationId: number, signal?: AbortSignal): Promise<OperationStatus | null> {
  const { prisma, log } = services;
  const op = await prisma.operation.findUnique({ where: { id: operationId }, include: { connector: true } });
  if (!op || op.status === 'SUCCEEDED' || op.status === 'FAILED') return op?.status ?? null;
  const startedAt = op.startedAt ?? new Date();
  await prisma.operation.update({ where: { id: op.id }, data: { status: 'RUNNING', startedAt } });

  let status: OperationStatus = 'SUCCEEDED';
  let stats: OperationStats = emptyStats();
  let error: string | null = null;
  let connection: KindWithContext | undefined;
  try {
    connection = kindContext(op.connector, services, signal);
    stats = op.type === 'DISCOVER' ? await runDiscover(services, op, op.connector, connection) : await runSync(services, op, op.connector, connection);
  } catch (e) {
    if (signal?.aborted) throw e;
    status = 'FAILED';
    if (e instanceof SyncFailures) stats = e.stats;
    // kinds redact their own messages; this is the second line of defence for anything else
    error = safeMessage(e, connection?.ctx);
    log.warn({ operationId: op.id, connectorId: op.connectorId, type: op.type, error }, 'operation failed');
  }
  const endedAt = new Date();
  await prisma.$transaction([
    prisma.operation.update({
      where: { id: op.id },
      data: { status, stats: stats as unknown as Prisma.InputJsonValue, error, endedAt, durationMs: endedAt.getTime() - startedAt.getTime() },
    }),
    ...(status === 'FAILED'
      ? [prisma.notificationEvent.create({ data: { name: 'operation_failed' satisfies NotificationEventName, connectorId: op.connectorId, payload: { operationId: op.id, type: op.type, error } } })]
      : []),
  ]);
  await pruneOperations(services, op.connectorId, op.connector.operationsRetained);
  return status;
}

/** Keeps the newest `retained` finished operations of a connector. */
async function pruneOperations(services: Services, connectorId: number, retained: number): Promise<void> {
  await services.pool.query(`DELETE FROM "Operation" WHERE id IN (
      SELECT id FROM "Operation" WHERE "connectorId" = $1 AND status IN ('SUCCEEDED', 'FAILED')
       ORDER BY "createdAt" DESC, id DESC OFFSET $2)`, [connectorId, retained]);
}
