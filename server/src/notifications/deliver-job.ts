// The names a delivery's graphile-worker job is filed under (dispatch.ts adds it, deliver.ts re-adds
// it for the next attempt and for a replay).
export const DELIVER_TASK = 'deliver_notification';

/** one job per delivery at a time */
export const deliveryJobKey = (deliveryId: number) => `delivery:${deliveryId}`;

/**
 * Deliveries of one webhook run one at a time, in order, and so do one user's alerts (the bell lists
 * them in the order things happened); everything else in parallel.
 */
export function deliveryQueue(d: { webhookId: number | null; userId: number | null; method: string }): string | null {
  if (d.webhookId) return `webhook:${d.webhookId}`;
  return d.method === 'ALERT' && d.userId ? `alerts:${d.userId}` : null;
}
