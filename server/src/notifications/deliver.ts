// The outbox, second half: one job per delivery sends it through its channel. A failure the
// endpoint may recover from waits — exponential backoff from TRIBUTARY_DELIVERY_BACKOFF_MS (30 s)
// doubling to an hour, or what Retry-After asks — and is sent when it recovers (DefectDojo drops
// it); after MAX_ATTEMPTS, or at once for a failure retrying cannot fix, the delivery is DEAD,
// visible, and a superuser can replay it. Each delivery is one graphile-worker job at a time (its
// job key), so it is sent once per successful attempt; webhooks carry its id as Idempotency-Key.
import type { Delivery, Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import { CHANNELS } from './channels/index.ts';
import { DELIVER_TASK, deliveryJobKey, deliveryQueue } from './deliver-job.ts';
import { DeliveryError, type DeliveryPayload } from './message.ts';
import { systemSettings } from './settings.ts';

/** 30 s doubling, capped at an hour: 12 attempts keep a delivery waiting ~6.5 h for its endpoint */
export const MAX_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 3_600_000;

export function backoffMs(attempt: number, base: number): number {
  return Math.min(base * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

export async function deliver(services: Services, deliveryId: number): Promise<void> {
  const sent = await sendOne(services, deliveryId);
  if (sent?.webhookId) await drainWebhook(services, sent.webhookId);
}

/**
 * A webhook's deliveries share one graphile-worker queue, and graphile-worker 0.18 hands out a named
 * queue's next job only at a later poll: one job per delivery sent 2.3 a second to one endpoint
 * (bench:notify, 1,000 events: 439 s). So the job that just reached the endpoint goes on down its
 * backlog, in order, for up to DRAIN_MS, taking each delivery's own job off the queue first.
 */
async function drainWebhook(services: Services, webhookId: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    const next = await services.prisma.delivery.findFirst({
      where: { webhookId, status: 'PENDING', digestAt: null, nextAttemptAt: { lte: new Date() } }, orderBy: { id: 'asc' }, select: { id: true },
    });
    if (!next) return;
    await services.prisma.$executeRaw`SELECT graphile_worker.remove_job(${deliveryJobKey(next.id)})`;
    if (!(await sendOne(services, next.id))) return;
  }
}

/** one job sends for at most this long before leaving the rest to their own jobs */
const DRAIN_MS = 20_000;

/** One attempt at one delivery; the delivery when it was sent, null otherwise (failed, waiting or done). */
async function sendOne(services: Services, deliveryId: number): Promise<Delivery | null> {
  const delivery = await services.prisma.delivery.findUnique({ where: { id: deliveryId } });
  if (!delivery || delivery.status === 'SENT' || delivery.status === 'DEAD') return null;
  if (await waitsBehindEarlier(services, delivery)) return null;
  const system = await systemSettings(services.prisma);
  const attempts = delivery.attempts + 1;
  try {
    await CHANNELS[delivery.method]({ services, delivery, payload: delivery.payload as unknown as DeliveryPayload, system });
    await services.prisma.delivery.update({ where: { id: delivery.id }, data: { status: 'SENT', attempts, sentAt: new Date(), lastError: null } });
    return delivery;
  } catch (e) {
    const error = e instanceof DeliveryError ? e : new DeliveryError(e instanceof Error ? e.message : String(e), true);
    const dead = !error.retryable || attempts >= MAX_ATTEMPTS;
    const wait = error.retryAfterMs ?? backoffMs(attempts, services.config.deliveryBackoffMs);
    const nextAttemptAt = new Date(Date.now() + wait);
    await services.prisma.$transaction(async (tx) => {
      await tx.delivery.update({
        where: { id: delivery.id },
        data: { status: dead ? 'DEAD' : 'FAILED', attempts, lastError: error.message.slice(0, 2000), ...(dead ? {} : { nextAttemptAt }) },
      });
      if (!dead) await queueDelivery(tx, delivery, nextAttemptAt);
    });
    services.log.warn({ deliveryId: delivery.id, method: delivery.method, attempts, dead, err: error.message }, 'notification delivery failed');
    return null;
  }
}

/**
 * A webhook gets its messages in order: while an earlier delivery to it still waits, this one is put
 * back just behind it (no attempt counted) — a receiver back from an outage then sees them as they
 * happened, not in whatever order their backoffs ran out.
 */
async function waitsBehindEarlier(services: Services, delivery: Delivery): Promise<boolean> {
  if (!delivery.webhookId) return false;
  const earlier = await services.prisma.delivery.findFirst({
    where: { webhookId: delivery.webhookId, id: { lt: delivery.id }, status: { in: ['PENDING', 'FAILED'] } },
    orderBy: { nextAttemptAt: 'desc' }, select: { nextAttemptAt: true },
  });
  if (!earlier) return false;
  const runAt = new Date(Math.max(earlier.nextAttemptAt.getTime(), Date.now()) + BEHIND_MS);
  await services.prisma.$transaction(async (tx) => {
    await tx.delivery.update({ where: { id: delivery.id }, data: { nextAttemptAt: runAt } });
    await queueDelivery(tx, delivery, runAt);
  });
  return true;
}

/** how far behind the earlier delivery a later one is put back */
const BEHIND_MS = 100;

/** (re)queues a delivery's job to run at `runAt` */
export async function queueDelivery(tx: Prisma.TransactionClient, delivery: Pick<Delivery, 'id' | 'webhookId' | 'userId' | 'method'>, runAt: Date): Promise<void> {
  await tx.$executeRaw`SELECT graphile_worker.add_job(${DELIVER_TASK}, json_build_object('deliveryId', ${delivery.id}::int),
    queue_name => ${deliveryQueue(delivery)}, run_at => ${runAt}::timestamptz, max_attempts => 1, job_key => ${deliveryJobKey(delivery.id)})`;
}

/** DEAD (or FAILED) deliveries back to PENDING with a fresh count, sent now */
export async function replayDeliveries(services: Services, where: Prisma.DeliveryWhereInput): Promise<number> {
  return services.prisma.$transaction(async (tx) => {
    const rows = await tx.delivery.findMany({ where: { AND: [where, { status: { in: ['DEAD', 'FAILED'] } }] }, select: { id: true, webhookId: true, userId: true, method: true } });
    const now = new Date();
    await tx.delivery.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status: 'PENDING', attempts: 0, nextAttemptAt: now } });
    for (const row of rows) await queueDelivery(tx, row, now);
    return rows.length;
  });
}
