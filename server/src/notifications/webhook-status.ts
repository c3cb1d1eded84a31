// A webhook endpoint's health, DefectDojo's state machine (research/notification-channels.md §3.4)
// as pure functions: what a send's outcome does to the state, and whether an endpoint takes sends now.
// The channel (channels/webhook.ts) applies them; nothing here touches the database or the clock.
//
// DefectDojo's timings, kept so its UI and API words mean the same here:
// - a temporary error (5xx, 429, timeout) → INACTIVE_TMP, back to ACTIVE_TMP 60 s later;
// - temporary errors that persist 24 h after the first one → INACTIVE_PERMANENT;
// - a permanent error (3xx/4xx, a refused address) → INACTIVE_PERMANENT at once;
// - ACTIVE_TMP whose last error is 24 h old → ACTIVE (DefectDojo's webhook_status_cleanup beat).
// Ours differs in two places: a successful send returns the endpoint to ACTIVE at once (DefectDojo
// waits 24 h in ACTIVE_TMP, which says nothing useful once the endpoint answers), and the 60 s
// reactivation is read from lastErrorAt when the next delivery comes (`webhookTakesSends`) instead of
// a scheduled task that can be lost (DefectDojo needs a 5-minute sweep as a safety net for that).
import type { WebhookStatus } from '@tributary/db';

export interface WebhookHealth {
  status: WebhookStatus;
  firstErrorAt: Date | null;
  lastErrorAt: Date | null;
  note: string | null;
}

/** What a send did: `temporary` may pass (5xx, 429, timeout, refused); `permanent` will not (3xx, 4xx). */
export type SendOutcome = { kind: 'ok' } | { kind: 'temporary' | 'permanent'; note: string };

/** DefectDojo: INACTIVE_TMP is reactivated (→ ACTIVE_TMP) 60 s after the error */
export const REACTIVATE_AFTER_MS = 60_000;
/** DefectDojo: temporary errors for 24 h since the first → INACTIVE_PERMANENT; ACTIVE_TMP quiet for 24 h → ACTIVE */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** DefectDojo keeps 1,000 characters of the error in `note` */
export const NOTE_MAX = 1000;

const cut = (s: string) => (s.length > NOTE_MAX ? s.slice(0, NOTE_MAX - 1) + '…' : s);

/** The state after a send's outcome. Returns `current` itself when nothing changes (no write needed). */
export function nextWebhookStatus(current: WebhookHealth, outcome: SendOutcome, now: Date): WebhookHealth {
  if (outcome.kind === 'ok') {
    if (current.status === 'ACTIVE' && !current.firstErrorAt && !current.lastErrorAt) return current;
    // an endpoint an admin switched off stays off, even if a send slipped through before it was
    if (current.status === 'INACTIVE_PERMANENT') return current;
    return { status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: current.status === 'ACTIVE' ? current.note : `Reactivated by a successful delivery (was ${current.status})` };
  }
  const note = cut(outcome.note);
  if (outcome.kind === 'permanent') return { status: 'INACTIVE_PERMANENT', firstErrorAt: now, lastErrorAt: now, note };
  // a temporary error: the first of a run starts the 24 h clock; a run that outlasted it gives up
  const firstErrorAt = current.status === 'ACTIVE' || !current.firstErrorAt ? now : current.firstErrorAt;
  if (now.getTime() - firstErrorAt.getTime() >= GIVE_UP_AFTER_MS) {
    return { status: 'INACTIVE_PERMANENT', firstErrorAt, lastErrorAt: now, note: cut(`Temporary errors for more than 24 hours; the last: ${outcome.note}`) };
  }
  return { status: 'INACTIVE_TMP', firstErrorAt, lastErrorAt: now, note };
}

/**
 * The time-driven transitions (DefectDojo's 60 s reactivation task and its cleanup beat), applied
 * when the state is read: INACTIVE_TMP 60 s after its last error is ACTIVE_TMP; ACTIVE_TMP quiet for
 * 24 h is ACTIVE with the errors cleared. Returns `current` itself when nothing is due.
 */
export function settledWebhookStatus(current: WebhookHealth, now: Date): WebhookHealth {
  const since = current.lastErrorAt ? now.getTime() - current.lastErrorAt.getTime() : Infinity;
  if (current.status === 'INACTIVE_TMP' && since >= REACTIVATE_AFTER_MS) {
    return { ...current, status: 'ACTIVE_TMP' };
  }
  if (current.status === 'ACTIVE_TMP' && since >= GIVE_UP_AFTER_MS) {
    return { status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: 'Reactivation from active_tmp' };
  }
  return current;
}

/**
 * Whether the endpoint takes a send now, and if not how long until it may. Only ACTIVE and
 * ACTIVE_TMP take sends, as in DefectDojo; INACTIVE_PERMANENT waits for an admin (`retryAfterMs`
 * null: no time is known).
 */
export function webhookTakesSends(current: WebhookHealth, now: Date): { ok: true } | { ok: false; retryAfterMs: number | null } {
  const settled = settledWebhookStatus(current, now);
  if (settled.status === 'ACTIVE' || settled.status === 'ACTIVE_TMP') return { ok: true };
  if (settled.status === 'INACTIVE_TMP') {
    return { ok: false, retryAfterMs: Math.max(0, current.lastErrorAt!.getTime() + REACTIVATE_AFTER_MS - now.getTime()) };
  }
  return { ok: false, retryAfterMs: null };
}
