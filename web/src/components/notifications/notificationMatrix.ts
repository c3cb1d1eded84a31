// The event × method matrix of one settings scope, as the page edits it, and the mapping back to
// updateNotificationSettings' input: only the rows (and digests) that changed are sent, because
// the server keeps every event left out as it is. Which methods a scope offers follows the server's
// dispatch (server/src/notifications/settings.ts): a person is sent alerts, mail and Slack; Teams and
// webhooks are the system's own channels, so only the SYSTEM scope offers them.
import type { ResultOf, VariablesOf } from '../../graphql/tada';
import type { NotificationSettingsFields, UpdateNotificationSettingsMutation } from '../../graphql/notifications';

type SettingsInput = VariablesOf<typeof UpdateNotificationSettingsMutation>['input'];
export type NotificationScope = SettingsInput['scope'];
export type NotificationMethod = SettingsInput['events'][number]['methods'][number];
export type Severity = NonNullable<SettingsInput['events'][number]['minimumSeverity']>;
export type DigestFrequency = NonNullable<SettingsInput['digests']>[number]['frequency'];
type Settings = ResultOf<typeof NotificationSettingsFields>;

export const ALL_METHODS: readonly NotificationMethod[] = ['ALERT', 'MAIL', 'SLACK', 'MSTEAMS', 'WEBHOOKS'];
const PERSON_METHODS: readonly NotificationMethod[] = ['ALERT', 'MAIL', 'SLACK'];
/** a PERSONAL row may take these as an hourly or daily digest; an alert is always at once */
export const DIGEST_METHODS: readonly NotificationMethod[] = ['MAIL', 'SLACK'];
export const DIGEST_FREQUENCIES: readonly DigestFrequency[] = ['IMMEDIATE', 'HOURLY', 'DAILY'];
/** most severe first: a row's minimum keeps the findings at or above it */
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
/**
 * The events that carry findings, the only ones a minimum severity filters (server/src/events.ts
 * FINDING_EVENTS). The schema does not say which they are, so the list is repeated here.
 */
export const FINDING_EVENTS: readonly string[] = ['scan_added', 'sla_breach', 'sla_breach_combined'];

export const METHOD_LABELS: Record<NotificationMethod, string> = {
  ALERT: 'Alert', MAIL: 'Mail', SLACK: 'Slack', MSTEAMS: 'Teams', WEBHOOKS: 'Webhooks',
};
export const SCOPE_LABELS: Record<NotificationScope, string> = {
  PERSONAL: 'Personal', PRODUCT: 'Per product', SYSTEM: 'System', TEMPLATE: 'Template for new users',
};
export const FREQUENCY_LABELS: Record<DigestFrequency, string> = {
  IMMEDIATE: 'Immediately', HOURLY: 'Hourly digest', DAILY: 'Daily digest',
};

export function methodsForScope(scope: NotificationScope): readonly NotificationMethod[] {
  return scope === 'SYSTEM' ? ALL_METHODS : PERSON_METHODS;
}

/** the scopes a viewer may edit: SYSTEM and TEMPLATE are the superusers' */
export function scopesFor(isSuperuser: boolean): NotificationScope[] {
  return isSuperuser ? ['PERSONAL', 'PRODUCT', 'SYSTEM', 'TEMPLATE'] : ['PERSONAL', 'PRODUCT'];
}

export const takesDigests = (scope: NotificationScope): boolean => scope === 'PERSONAL';
export const takesMinimumSeverity = (event: string): boolean => FINDING_EVENTS.includes(event);

/** "sla_breach_combined" → "Sla breach combined" */
export function eventLabel(event: string): string {
  const words = event.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface MatrixRow {
  event: string;
  /** every stored method, also one this scope does not offer (kept as it is on save) */
  methods: NotificationMethod[];
  minimumSeverity: Severity | null;
}

export interface MatrixDraft {
  rows: MatrixRow[];
  /** PERSONAL only: method → frequency */
  digests: Partial<Record<NotificationMethod, DigestFrequency>>;
}

export function draftFromSettings(settings: Settings | null | undefined): MatrixDraft {
  const rows = (settings?.events ?? []).flatMap((e) => (e.event
    ? [{ event: e.event, methods: ALL_METHODS.filter((m) => e.methods?.includes(m)), minimumSeverity: e.minimumSeverity ?? null }]
    : []));
  const digests: MatrixDraft['digests'] = {};
  for (const d of settings?.digests ?? []) if (d.method && d.frequency) digests[d.method] = d.frequency;
  return { rows, digests };
}

/** the draft with one method of one event switched on or off */
export function toggleMethod(draft: MatrixDraft, event: string, method: NotificationMethod, on: boolean): MatrixDraft {
  return {
    ...draft,
    rows: draft.rows.map((row) => (row.event !== event ? row : {
      ...row,
      methods: ALL_METHODS.filter((m) => (m === method ? on : row.methods.includes(m))),
    })),
  };
}

export function setMinimumSeverity(draft: MatrixDraft, event: string, minimumSeverity: Severity | null): MatrixDraft {
  return { ...draft, rows: draft.rows.map((row) => (row.event === event ? { ...row, minimumSeverity } : row)) };
}

export function setDigest(draft: MatrixDraft, method: NotificationMethod, frequency: DigestFrequency): MatrixDraft {
  return { ...draft, digests: { ...draft.digests, [method]: frequency } };
}

const sameRow = (a: MatrixRow, b: MatrixRow | undefined) =>
  !!b && a.minimumSeverity === b.minimumSeverity && a.methods.length === b.methods.length && a.methods.every((m) => b.methods.includes(m));

/** the events whose methods or minimum severity differ from what is stored */
export function changedRows(saved: MatrixDraft, draft: MatrixDraft): MatrixRow[] {
  const before = new Map(saved.rows.map((row) => [row.event, row]));
  return draft.rows.filter((row) => !sameRow(row, before.get(row.event)));
}

/** The input that stores the draft (only what changed); null when nothing did. */
export function settingsInput(scope: NotificationScope, productId: string | null, saved: MatrixDraft, draft: MatrixDraft): SettingsInput | null {
  const events = changedRows(saved, draft).map((row) => ({ event: row.event, methods: [...row.methods], minimumSeverity: row.minimumSeverity }));
  const digests = takesDigests(scope)
    ? DIGEST_METHODS.flatMap((method) => {
      const frequency = draft.digests[method] ?? 'IMMEDIATE';
      return frequency === (saved.digests[method] ?? 'IMMEDIATE') ? [] : [{ method, frequency }];
    })
    : [];
  if (events.length === 0 && digests.length === 0) return null;
  return { scope, productId: scope === 'PRODUCT' ? productId : null, events, ...(digests.length ? { digests } : {}) };
}
