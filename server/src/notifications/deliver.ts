// The outbox, second half: jobs send each delivery through its channel. A failure the endpoint may
// recover from waits — exponential backoff from TRIBUTARY_DELIVERY_BACKOFF_MS (30 s) doubling to an
// hour, and never sooner than Retry-After asks — and is sent when it recovers (DefectDojo drops it); after
// MAX_ATTEMPTS, or at once for a failure retrying cannot fix, the delivery is DEAD, visible, and a
// superuser can replay it. A delivery is in one job at a time (deliver-job.ts), so it is sent once
// per successful attempt; webhooks carry its id as Idempotency-Key.
import type { Delivery, Prisma, SystemSettings } from '@tributary/db';
import type { Services } from '../services.ts';
import { CHANNELS } from './channels/index.ts';
import { DELIVER_TASK, deliveryJobKey, deliveryQueue, queueWebhook } from './deliver-job.ts';
import { DeliveryError, type DeliveryPayload } from './message.ts';
import { systemSettings } from './settings.ts';

/** 30 s doubling, capped at an hour: 12 attempts keep a delivery waiting ~6.5 h for its endpoint */
export const MAX_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 3_600_000;

export function backoffMs(attempt: number, base: number): number {
  return Math.min(base * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

/** One delivery that is not a webhook's (those go through deliverWebhook). */
export async function deliver(services: Services, deliveryId: number): Promise<void> {
  const delivery = await services.prisma.delivery.findUnique({ where: { id: deliveryId } });
  if (!delivery || delivery.status === 'SENT' || delivery.status === 'DEAD') return;
  if (delivery.webhookId) return deliverWebhook(services, delivery.webhookId); // a job queued before the endpoint had its own
  await attempt(services, delivery);
}

/**
 * An endpoint's backlog, oldest first, for up to DRAIN_MS, then a follow-up job carries on (so one
 * busy endpoint does not hold a worker slot for ever). The head is the oldest unsent delivery: sent,
 * it makes way for the next; failing or not yet due, the job comes back when it is due and the
 * later ones wait behind it. The backlog is read BATCH at a time through (webhookId, status, id),
 * so a backlog of 10,000 costs per delivery what one of ten does: the send and its SENT.
 */
export async function deliverWebhook(services: Services, webhookId: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    const batch = await backlogOf(services, webhookId);
    if (!batch.length) return;
    const system = await systemSettings(services.prisma);
    for (const delivery of batch) {
      if (delivery.nextAttemptAt.getTime() > Date.now()) {
        await queueWebhook(services.prisma, webhookId, delivery.nextAttemptAt, false);
        return;
      }
      if ((await attempt(services, delivery, system)) === 'waits') return; // attempt() queued the endpoint's job for the retry
      if (Date.now() >= deadline) break;
    }
  }
  await queueWebhook(services.prisma, webhookId, 'now', false);
}

/** one job sends to an endpoint for at most this long before a follow-up job takes over */
const DRAIN_MS = 20_000;
/** deliveries read at once: 100 payloads are a few hundred KB at most */
const BATCH = 100;

/** the next unsent deliveries in order, ending at a FAILED one (which holds the rest behind it) */
async function backlogOf(services: Services, webhookId: number): Promise<Delivery[]> {
  const [pending, failed] = await Promise.all([
    services.prisma.delivery.findMany({ where: { webhookId, status: 'PENDING', digestAt: null }, orderBy: { id: 'asc' }, take: BATCH }),
    services.prisma.delivery.findFirst({ where: { webhookId, status: 'FAILED', digestAt: null }, orderBy: { id: 'asc' } }),
  ]);
  return failed ? [...pending.filter((d) => d.id < failed.id), failed] : pending;
}

/** One attempt at one delivery: sent, DEAD, or it waits (its next job queued). */
async function attempt(services: Services, delivery: Delivery, system?: SystemSettings): Promise<'sent' | 'waits' | 'dead'> {
  system ??= await systemSettings(services.prisma);
  const attempts = delivery.attempts + 1;
  try {
    await CHANNELS[delivery.method]({ services, delivery, payload: delivery.payload as unknown as DeliveryPayload, system });
    await services.prisma.delivery.update({ where: { id: delivery.id }, data: { status: 'SENT', attempts, sentAt: new Date(), lastError: null } });
    return 'sent';
  } catch (e) {
    const error = e instanceof DeliveryError ? e : new DeliveryError(e instanceof Error ? e.message : String(e), true);
    // Retry-After is a floor under the backoff, not the schedule: an endpoint throttling with
    // "Retry-After: 1" would otherwise use up MAX_ATTEMPTS in a dozen of its seconds (a Slack message
    // was DEAD after 28 s of 429s in delivery-outages.test.ts) instead of the backoff's ~6.5 h. A
    // parked delivery was not tried: it waits exactly what it was told.
    const backoff = backoffMs(attempts, services.config.deliveryBackoffMs);
    const wait = error.parked ? error.retryAfterMs ?? backoff : Math.max(error.retryAfterMs ?? 0, backoff);
    const nextAttemptAt = new Date(Date.now() + wait);
    // a parked endpoint (switched off, or resting after an error) was not tried: no attempt is counted
    const counted = error.parked ? delivery.attempts : attempts;
    const dead = !error.retryable || counted >= MAX_ATTEMPTS;
    await services.prisma.$transaction(async (tx) => {
      await tx.delivery.update({
        where: { id: delivery.id },
        data: { status: dead ? 'DEAD' : error.parked ? delivery.status : 'FAILED', attempts: counted, lastError: error.message.slice(0, 2000), ...(dead ? {} : { nextAttemptAt }) },
      });
      if (!dead) await queueDelivery(tx, delivery, nextAttemptAt);
    });
    if (!error.parked) services.log.warn({ deliveryId: delivery.id, method: delivery.method, attempts, dead, err: error.message }, 'notification delivery failed');
    return dead ? 'dead' : 'waits';
  }
}

/** (re)queues a delivery's job — its endpoint's, for a webhook — to run at `runAt` */
export async function queueDelivery(tx: Prisma.TransactionClient, delivery: Pick<Delivery, 'id' | 'webhookId' | 'userId' | 'method'>, runAt: Date): Promise<void> {
  if (delivery.webhookId) return queueWebhook(tx, delivery.webhookId, runAt, false);
  await tx.$executeRaw`SELECT graphile_worker.add_job(${DELIVER_TASK}, json_build_object('deliveryId', ${delivery.id}::int),
    queue_name => ${deliveryQueue(delivery)}, run_at => ${runAt}::timestamptz, max_attempts => 1, job_key => ${deliveryJobKey(delivery.id)})`;
}

/** DEAD (or FAILED) deliveries back to PENDING with a fresh count, sent now */
export async function replayDeliveries(services: Services, where: Prisma.DeliveryWhereInput): Promise<number> {
  return services.prisma.$transaction(async (tx) => {
    const rows = await tx.delivery.findMany({ where: { AND: [where, { status: { in: ['DEAD', 'FAILED'] } }] }, select: { id: true, webhookId: true, userId: true, method: true } });
    const now = new Date();
    await tx.delivery.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status: 'PENDING', attempts: 0, nextAttemptAt: now } });
    for (const row of rows.filter((r) => !r.webhookId)) await queueDelivery(tx, row, now);
    for (const webhookId of new Set(rows.flatMap((r) => (r.webhookId ? [r.webhookId] : [])))) await queueWebhook(tx, webhookId, 'now', false);
    return rows.length;
  });
}

/** An endpoint switched back on: its waiting deliveries are due now, not at their parked retry. */
export async function wakeWebhook(tx: Prisma.TransactionClient, webhookId: number): Promise<void> {
  await tx.delivery.updateMany({ where: { webhookId, status: { in: ['PENDING', 'FAILED'] }, digestAt: null, nextAttemptAt: { gt: new Date() } }, data: { nextAttemptAt: new Date() } });
  await queueWebhook(tx, webhookId, 'now', false);
}
