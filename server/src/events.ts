// Notification event names, the only place they are written in TypeScript: what a NotificationEvent
// row's `name` holds and what notification settings are keyed by. DefectDojo's (research/defectdojo.md
// §2a) plus the connector events of CONTRACT.md. The one writer outside TypeScript is the
// record_stale trigger (migration 20261122042214_notification_events).

/** DefectDojo's events; an event it emits without a setting of its own falls back to `other`. */
export const DEFECTDOJO_EVENTS = [
  'product_type_added', 'product_added', 'engagement_added', 'test_added', 'scan_added', 'scan_added_empty',
  'jira_update', 'upcoming_engagement', 'stale_engagement', 'auto_close_engagement', 'close_engagement',
  'user_mentioned', 'review_requested', 'sla_breach', 'sla_breach_combined', 'risk_acceptance_expiration',
  'report_created', 'other',
] as const;

/** Tributary's own: a failed operation, and records a discover found new or missing or a deletion made stale. */
export const CONNECTOR_EVENTS = ['operation_failed', 'record_new', 'record_missing', 'record_stale'] as const;

export const NOTIFICATION_EVENTS = [...DEFECTDOJO_EVENTS, ...CONNECTOR_EVENTS] as const;

export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

export function isNotificationEvent(name: string): name is NotificationEventName {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(name);
}

/** events about findings: a notification setting's minimum severity filters their findings */
export const FINDING_EVENTS: readonly NotificationEventName[] = ['scan_added', 'sla_breach', 'sla_breach_combined'];
