// Per-connector schedules (cron, UTC). A tick every minute (graphile-worker's crontab runs it once
// per minute across all worker processes) starts the operations that are due. Each due connector row
// is locked (FOR UPDATE SKIP LOCKED) and its next run time moved forward in the same transaction as
// the operation and its job, so even two ticks at once start each scheduled run exactly once.
// The due rows are taken a batch at a time (BATCH), each batch in its own short transaction.
import type { Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import { enqueueOperation } from '../operations/enqueue.ts';
import { nextRun } from '../util/cron.ts';

type Due = { id: number; discoverSchedule: string | null; syncSchedule: string | null; nextDiscoverAt: Date | null; nextSyncAt: Date | null };

/**
 * Due connectors are taken BATCH at a time, each batch in a transaction of its own. One transaction
 * for all of them failed under load: 50 connectors due in one minute on a busy 2-core machine
 * (`pnpm bench:soak`, ~90 ms a connector) took it past Prisma's 5 s limit for an interactive
 * transaction, it rolled back, and as no next run time had moved, every later tick met the same work
 * and failed the same way — with everyone on the default daily schedule, for good. 10 a transaction
 * is ~1 s at that pace; a batch that fails still leaves the batches before it started.
 */
const BATCH = 10;

export async function fireDueSchedules(services: Services, now = new Date()): Promise<number> {
  let started = 0;
  for (;;) {
    const batch = await fireBatch(services, now);
    started += batch.started;
    // each connector taken is no longer due (its next run times are past `now`), so this ends
    if (batch.taken < BATCH) return started;
  }
}

async function fireBatch(services: Services, now: Date): Promise<{ taken: number; started: number }> {
  return services.prisma.$transaction(async (tx) => {
    const due = await tx.$queryRaw<Due[]>`
      SELECT id, "discoverSchedule", "syncSchedule", "nextDiscoverAt", "nextSyncAt" FROM "Connector"
       WHERE ("discoverSchedule" IS NOT NULL AND ("nextDiscoverAt" IS NULL OR "nextDiscoverAt" <= ${now}))
          OR ("syncSchedule" IS NOT NULL AND ("nextSyncAt" IS NULL OR "nextSyncAt" <= ${now}))
       ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
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
    return { taken: due.length, started };
  });
}
