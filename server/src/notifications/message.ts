// What a notification says, rendered once per event (render.ts) and handed to every channel: the
// event, a short title, a description, a link into the dashboard, its product, and for finding
// events the findings with their severities.
import type { NotificationEventName } from '../events.ts';
import type { Severity } from '../severity.ts';

/** findings one message lists at most (a digest too); its counts say how many there were */
export const MAX_MESSAGE_FINDINGS = 100;

export interface NotificationMessage {
  /** the NotificationEvent row id */
  eventId: number;
  event: NotificationEventName;
  title: string;
  description: string;
  /** absolute link into the dashboard, or null when there is no page for it */
  url: string | null;
  product: { id: number; name: string } | null;
  /** finding events (scan_added …): the findings concerned, most severe first; may be empty */
  findings: Array<{ id: number; title: string; severity: Severity; status: 'new' | 'closed' | 'reactivated' | 'untouched' }>;
  /** scan_added / scan_added_empty: how many findings of each outcome */
  counts?: { new: number; closed: number; reactivated: number; untouched: number };
  /** ISO-8601 */
  occurredAt: string;
}

/** One delivery's routing, stored in Delivery.payload beside the message. */
export interface DeliveryPayload {
  message: NotificationMessage;
  /** MAIL: the addresses (the system address, or the recipient's email) */
  to?: string[];
  /** SLACK: a channel (system scope), or the recipient's email to find their Slack user by */
  slackChannel?: string;
  slackEmail?: string;
}

/**
 * A send that failed. `retryable`: the endpoint may recover (timeouts, 5xx, 429, a refused
 * connection) and the delivery waits for it; otherwise (a rejected token, a 4xx) retrying cannot
 * help and the delivery is DEAD at once. `retryAfterMs`: what the endpoint asked for (Retry-After).
 * `parked`: nothing was sent because the endpoint is switched off or resting; no attempt counts.
 */
export class DeliveryError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly retryAfterMs?: number, readonly parked = false) {
    super(message);
    this.name = 'DeliveryError';
  }
}
