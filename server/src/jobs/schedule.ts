// Per-connector schedules (cron, UTC). A tick every minute (graphile-worker's crontab runs it once
// per minute across all worker processes) starts the operations that are due. Each due connector row
// is locked (FOR UPDATE SKIP LOCKED) and its next run time moved forward in the same transaction as
// the operation and its job, so even two ticks at once start each scheduled run exactly once.
import { CronExpressionParser } from 'cron-parser';
import type { OperationType, Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import { addOperationJob } from '../operations/enqueue.ts';

/** null when valid, else a message naming the problem */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `"${expression}" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return null;
  } catch (e) {
    return `"${expression}" is not a valid cron expression: ${(e as Error).message}`;
  }
}

export function nextRun(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
}

type Due = { id: number; discoverSchedule: string | null; syncSchedule: string | null; nextDiscoverAt: Date | null; nextSyncAt: Date | null };

export async function fireDueSchedules(services: Services, now = new Date()): Promise<number> {
  return services.prisma.$transaction(async (tx) => {
    const due = await tx.$queryRaw<Due[]>`
      SELECT id, "discoverSchedule", "syncSchedule", "nextDiscoverAt", "nextSyncAt" FROM "Connector"
       WHERE ("discoverSchedule" IS NOT NULL AND ("nextDiscoverAt" IS NULL OR "nextDiscoverAt" <= ${now}))
          OR ("syncSchedule" IS NOT NULL AND ("nextSyncAt" IS NULL OR "nextSyncAt" <= ${now}))
       ORDER BY id FOR UPDATE SKIP LOCKED`;
    let started = 0;
    for (const c of due) {
      const data: Prisma.ConnectorUpdateInput = {};
      for (const [type, schedule, next, field] of [
        ['DISCOVER', c.discoverSchedule, c.nextDiscoverAt, 'nextDiscoverAt'],
        ['SYNC', c.syncSchedule, c.nextSyncAt, 'nextSyncAt'],
      ] as const) {
        if (!schedule) continue;
        // a connector never scheduled before (or whose schedule changed) waits for its first slot
        if (next && next <= now) {
          await startScheduled(tx, c.id, type);
          started++;
        }
        if (!next || next <= now) (data as Record<string, Date>)[field] = nextRun(schedule, now);
      }
      await tx.connector.update({ where: { id: c.id }, data });
    }
    return started;
  });
}

async function startScheduled(tx: Prisma.TransactionClient, connectorId: number, type: OperationType) {
  const pending = await tx.operation.findFirst({ where: { connectorId, type, status: 'PENDING' } });
  if (pending) return;
  const op = await tx.operation.create({ data: { connectorId, type, trigger: 'SCHEDULED' } });
  await addOperationJob(tx, op.id, connectorId);
}
