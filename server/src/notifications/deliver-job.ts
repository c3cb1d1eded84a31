// The graphile-worker jobs that send deliveries (dispatch.ts adds them, deliver.ts re-adds them for
// the next attempt, a replay or a reactivated endpoint).
//
// A webhook's deliveries are sent by ONE job per endpoint (job key and queue `webhook:<id>`) that
// walks its backlog in order: a receiver sees messages as they happened, and one waiting for its
// retry holds the later ones behind it. Everything else is one job per delivery (key
// `delivery:<id>`), in parallel — except one user's alerts, which share a queue so the bell lists
// them in the order things happened.
import type { Prisma } from '@tributary/db';

export const DELIVER_TASK = 'deliver_notification';
export const DELIVER_WEBHOOK_TASK = 'deliver_webhook';

export const deliveryJobKey = (deliveryId: number) => `delivery:${deliveryId}`;
export const webhookJobKey = (webhookId: number) => `webhook:${webhookId}`;

/** the named queue of a delivery's own job: one user's alerts in order, the rest in parallel */
export const deliveryQueue = (d: { userId: number | null; method: string }): string | null =>
  (d.method === 'ALERT' && d.userId ? `alerts:${d.userId}` : null);

/**
 * Wakes an endpoint's job at `runAt`. `keepEarlier`: new deliveries do not move a job already set
 * to run later (it waits for the head's retry, which the new ones must not overtake); a replay or a
 * reactivation does. A job that is running gets a follow-up (graphile-worker clears a running job's
 * key), so a delivery added while the endpoint drains is never left without one. Its retries
 * (25, graphile-worker's backoff) cover a crash of the job itself, not a failing endpoint.
 */
export async function queueWebhook(tx: Prisma.TransactionClient, webhookId: number, runAt: Date | 'now', keepEarlier: boolean): Promise<void> {
  const at = runAt === 'now' ? null : runAt;
  await tx.$executeRaw`SELECT graphile_worker.add_job(${DELIVER_WEBHOOK_TASK}, json_build_object('webhookId', ${webhookId}::int),
    queue_name => ${webhookJobKey(webhookId)}, run_at => coalesce(${at}::timestamptz, clock_timestamp()), job_key => ${webhookJobKey(webhookId)},
    job_key_mode => ${keepEarlier ? 'preserve_run_at' : 'replace'})`;
}
