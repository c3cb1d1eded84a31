// Per-connector schedules (cron, UTC). A tick every minute (graphile-worker's crontab runs it once
// per minute across all worker processes) starts the operations that are due. Each due connector row
// is locked (FOR UPDATE SKIP LOCKED) and its next run time moved forward in the same transaction as
// the operation and its job, so even two ticks at once start each scheduled run exactly once.
import type { Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import { enqueueOperation } from '../operations/enqueue.ts';
import { nextRun } from '../util/cron.ts';

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
          await enqueueOperation(tx, { connectorId: c.id, type, trigger: 'SCHEDULED' });
          started++;
        }
        if (!next || next <= now) (data as Record<string, Date>)[field] = nextRun(schedule, now);
      }
      await tx.connector.update({ where: { id: c.id }, data });
    }
    return started;
  });
}
