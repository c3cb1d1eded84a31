// One operation's lifecycle, run by the `run_operation` job: PENDING → RUNNING → SUCCEEDED | FAILED
// with start, end, duration, stats and a redacted error. Idempotent: a finished operation is left
// alone, so a job retried after a crash never runs the work twice. Aborted (the worker process is
// stopping and its grace period ran out) the operation stays RUNNING and the error goes to
// graphile-worker, which releases the job for another worker to run it again.
import type { OperationStatus, Prisma } from '@tributary/db';
import type pg from 'pg';
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

/**
 * The one rule for operations whose job is gone: a PENDING or RUNNING operation whose graphile-worker
 * job no longer exists, or has used up its attempts and is not running, can never finish, so it is
 * FAILED here with the reason (and `operation_failed` is emitted), and the next run starts afresh.
 * A job merely locked by a dead process is not an orphan: the heartbeat (jobs/heartbeat.ts) unlocks it
 * and another worker retries it. Race-free without a grace period: the row and its job are written in
 * one transaction (enqueue.ts), and run_operation finishes the row before its job is completed, so one
 * snapshot never shows a live operation without its job unless the job truly ended without it.
 */
export async function failOrphanedOperations(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(`
    WITH orphans AS (
      SELECT o.id, o."connectorId", o.type,
             CASE WHEN j.id IS NULL THEN 'its job was removed'
                  ELSE 'its job failed ' || j.attempts || ' times' || coalesce(': ' || left(j.last_error, 300), '') END reason
        FROM "Operation" o LEFT JOIN graphile_worker._private_jobs j ON j.key = 'operation:' || o.id
       WHERE o.status IN ('PENDING', 'RUNNING') AND (j.id IS NULL OR (j.locked_at IS NULL AND j.attempts >= j.max_attempts))
         FOR UPDATE OF o SKIP LOCKED
    ), failed AS (
      UPDATE "Operation" o SET status = 'FAILED', "endedAt" = now(),
             "durationMs" = CASE WHEN o."startedAt" IS NULL THEN NULL ELSE (extract(epoch FROM now() - o."startedAt") * 1000)::int END,
             error = 'The operation was abandoned: ' || orphans.reason || '. Nothing it had not finished was applied; run it again.'
        FROM orphans WHERE o.id = orphans.id AND o.status IN ('PENDING', 'RUNNING')
      RETURNING o.id, o."connectorId", o.type, o.error
    ), events AS (
      INSERT INTO "NotificationEvent" (name, "connectorId", payload)
      SELECT 'operation_failed', "connectorId", jsonb_build_object('operationId', id, 'type', type, 'error', error) FROM failed
    )
    SELECT id FROM failed`);
  return rows.map((r) => r.id);
}
