// The outbox, first half: NotificationEvent rows (written in the transaction that caused them)
// become Delivery rows and their jobs, in one transaction per batch, each event once. A trigger on
// NotificationEvent queues this job (one at a time, coalesced: migration 20261202053000); the
// schedule tick runs it too, so an event is never left behind.
import type { NotificationEvent, Prisma } from '@tributary/db';
import { LOCKS } from '../locks.ts';
import type { Services } from '../services.ts';
import { DELIVER_TASK, deliveryJobKey, deliveryQueue, queueWebhook } from './deliver-job.ts';
import { renderEvent } from './render.ts';
import { planDeliveries, scopeKey, systemSettings, type Audience, type PlannedDelivery } from './settings.ts';

export const DISPATCH_TASK = 'dispatch_notifications';
/** events per transaction: a sync of many products writes one scan_added each */
const BATCH = 50;
/** connector events without a product: only those who see connectors (global roles) are told */
const CONNECTOR_ONLY = new Set(['operation_failed', 'record_new', 'record_missing']);

/** Dispatches every waiting event; returns how many. */
export async function dispatchEvents(services: Services): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await services.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCKS.notificationDispatch})`;
      const events = await tx.$queryRaw<NotificationEvent[]>`
        SELECT * FROM "NotificationEvent" WHERE "dispatchedAt" IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
      if (events.length) await dispatchBatch(services, tx, events);
      return events.length;
    }, { timeout: 60_000 });
    total += n;
    if (n < BATCH) return total;
  }
}

/**
 * One batch in a handful of statements: the system row, webhooks and each audience (per product and
 * recipients) read once, every delivery written by one INSERT in event order, their jobs added by
 * one statement. Per event, one statement each was 86 events/s (bench:notify).
 */
async function dispatchBatch(services: Services, tx: Prisma.TransactionClient, events: NotificationEvent[]): Promise<void> {
  const shared = {
    system: await systemSettings(tx),
    webhooks: await tx.webhook.findMany({ orderBy: { id: 'asc' } }),
  };
  const audiences = new Map<string, Promise<Audience>>();
  const planned: Array<PlannedDelivery & { event: string }> = [];
  for (const event of events) {
    const message = await renderEvent(tx, event, services.config.publicUrl);
    const named = (event.payload as { userIds?: unknown }).userIds;
    const key = `${event.productId ?? ''}:${CONNECTOR_ONLY.has(event.name)}:${Array.isArray(named) ? named.join(',') : '*'}`;
    if (!audiences.has(key)) audiences.set(key, audienceOf(services, tx, event, shared));
    const audience = { ...(await audiences.get(key)!), now: event.createdAt };
    for (const d of planDeliveries(message, audience)) planned.push({ ...d, event: message.event });
  }
  if (planned.length) {
    const rows = await tx.delivery.createManyAndReturn({
      data: planned.map((d) => ({ event: d.event, method: d.method, userId: d.userId, webhookId: d.webhookId, payload: d.payload as unknown as Prisma.InputJsonValue, digestAt: d.digestAt ?? null })),
      select: { id: true, webhookId: true, userId: true, method: true, digestAt: true },
    });
    // one held for a digest gets no job of its own: digests.ts sends it with the others of its period;
    // a webhook's are sent by its endpoint's job, woken once per batch
    const queued = rows.filter((r) => !r.digestAt && !r.webhookId);
    for (const webhookId of new Set(rows.flatMap((r) => (r.webhookId ? [r.webhookId] : [])))) await queueWebhook(tx, webhookId, 'now', true);
    // run_at is the clock after the dispatch lock, not now() (the transaction's start, which may precede
    // an earlier batch's): a user's alert jobs then run in event order, in the queue's run_at order
    await tx.$executeRaw`SELECT graphile_worker.add_job(${DELIVER_TASK}, json_build_object('deliveryId', d.id), queue_name => d.queue,
        run_at => clock_timestamp(), max_attempts => 1, job_key => d.key)
      FROM unnest(${queued.map((r) => r.id)}::int[], ${queued.map((r) => deliveryQueue(r))}::text[], ${queued.map((r) => deliveryJobKey(r.id))}::text[])
        WITH ORDINALITY AS d(id, queue, key, n) ORDER BY d.n`;
  }
  await tx.notificationEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { dispatchedAt: new Date() } });
}

async function audienceOf(services: Services, tx: Prisma.TransactionClient, event: NotificationEvent, shared: Pick<Audience, 'system' | 'webhooks'>): Promise<Audience> {
  const who: Prisma.UserWhereInput = event.productId
    ? { OR: [{ isSuperuser: true }, { globalRole: { not: null } }, { memberships: { some: { productId: event.productId } } }] }
    : CONNECTOR_ONLY.has(event.name) ? { OR: [{ isSuperuser: true }, { globalRole: { not: null } }] } : {};
  // user_mentioned and review_requested name their recipients (still only among those who may see it)
  const named = (event.payload as { userIds?: unknown }).userIds;
  const only: Prisma.UserWhereInput = Array.isArray(named) ? { id: { in: named.map(Number) } } : {};
  const users = await tx.user.findMany({ where: { isActive: true, AND: [who, only] }, orderBy: { id: 'asc' } });
  const keys = users.flatMap((u) => [scopeKey('PERSONAL', u.id), ...(event.productId ? [scopeKey('PRODUCT', u.id, event.productId)] : [])]);
  const rows = new Map((await tx.notificationSettings.findMany({ where: { scopeKey: { in: [...keys, 'SYSTEM'] } } })).map((r) => [r.scopeKey, r]));
  return {
    ...shared,
    systemRow: rows.get('SYSTEM') ?? null,
    users: users.map((user) => ({
      user,
      personal: rows.get(scopeKey('PERSONAL', user.id)) ?? null,
      product: event.productId ? rows.get(scopeKey('PRODUCT', user.id, event.productId)) ?? null : null,
    })),
    superuserIds: users.filter((u) => u.isSuperuser).map((u) => u.id),
    trump: new Set(services.config.notificationsSystemLevelTrump),
    now: event.createdAt,
  };
}
