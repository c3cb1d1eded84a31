// Notification settings (DefectDojo's, research/defectdojo.md §2a): per event, the methods to use,
// in four scopes — SYSTEM (the superuser's: the system mail address, Slack channel, Teams and
// webhooks), PERSONAL, PRODUCT (one user on one product, replacing their personal row there) and
// TEMPLATE (copied to every new user). Each row may set a minimum severity for finding events.
// For the events in TRIBUTARY_NOTIFICATIONS_SYSTEM_LEVEL_TRUMP the system row wins over a personal
// opt-out. A user is told only of what they may see. A PERSONAL row may take mail and Slack as an
// hourly or daily digest (digests.ts) instead of one message per event.
import type { NotificationMethod, NotificationScope, NotificationSettings, Prisma, PrismaClient, SystemSettings, User, Webhook } from '@tributary/db';
import { FINDING_EVENTS, isNotificationEvent, type NotificationEventName } from '../events.ts';
import { isSeverity, severityRank, type Severity } from '../severity.ts';
import type { DeliveryPayload, NotificationMessage } from './message.ts';

export interface EventSetting { methods: NotificationMethod[]; minimumSeverity: Severity | null }
export type EventSettings = Map<NotificationEventName, EventSetting>;

const METHODS: readonly NotificationMethod[] = ['ALERT', 'MAIL', 'SLACK', 'MSTEAMS', 'WEBHOOKS'];
/** what a person can be sent; Teams and webhooks are the system's own */
const PERSONAL_METHODS: readonly NotificationMethod[] = ['ALERT', 'MAIL', 'SLACK'];
const ALL_METHODS: readonly NotificationMethod[] = [...PERSONAL_METHODS, 'MSTEAMS', 'WEBHOOKS'];

/** the methods a scope's rows may choose: SYSTEM all five, the others (people, and the template copied to them) a person's three */
export function methodsOf(scope: NotificationScope): readonly NotificationMethod[] {
  return scope === 'SYSTEM' ? ALL_METHODS : PERSONAL_METHODS;
}

export function scopeKey(scope: NotificationScope, userId?: number | null, productId?: number | null): string {
  return scope === 'PERSONAL' ? `PERSONAL:${userId}` : scope === 'PRODUCT' ? `PRODUCT:${userId}:${productId}` : scope;
}

/** The stored JSON (`{ event: { methods, minimumSeverity } }`) as a map; unknown names and methods are dropped. */
export function parseEventSettings(json: unknown): EventSettings {
  const out: EventSettings = new Map();
  for (const [event, value] of Object.entries((json ?? {}) as Record<string, unknown>)) {
    if (!isNotificationEvent(event)) continue;
    const v = (value ?? {}) as { methods?: unknown; minimumSeverity?: unknown };
    const methods = (Array.isArray(v.methods) ? v.methods : []).filter((m): m is NotificationMethod => METHODS.includes(m as NotificationMethod));
    out.set(event, { methods: [...new Set(methods)], minimumSeverity: isSeverity(v.minimumSeverity) ? v.minimumSeverity : null });
  }
  return out;
}

export function serializeEventSettings(settings: EventSettings): Prisma.InputJsonObject {
  return Object.fromEntries([...settings].map(([event, s]) => [event, { methods: s.methods, minimumSeverity: s.minimumSeverity }]));
}

/** The one system settings row, created with its defaults on first use (a read once it exists). */
export async function systemSettings(prisma: Prisma.TransactionClient | PrismaClient): Promise<SystemSettings> {
  return (await prisma.systemSettings.findUnique({ where: { id: 1 } })) ?? prisma.systemSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
}

/** A new user starts from the TEMPLATE row (DefectDojo's template notifications). */
export async function applyTemplate(prisma: Prisma.TransactionClient | PrismaClient, userId: number): Promise<void> {
  const template = await prisma.notificationSettings.findUnique({ where: { scopeKey: 'TEMPLATE' } });
  if (!template) return;
  await prisma.notificationSettings.create({ data: { scope: 'PERSONAL', userId, scopeKey: scopeKey('PERSONAL', userId), events: template.events ?? {} } });
}

export interface PlannedDelivery { method: NotificationMethod; userId: number | null; webhookId: number | null; payload: DeliveryPayload; digestAt?: Date | null }

export type DigestFrequency = 'HOURLY' | 'DAILY';
/** the methods a person may take as a digest (an alert is the bell: always at once) */
export const DIGEST_METHODS: readonly NotificationMethod[] = ['MAIL', 'SLACK'];

/** A PERSONAL row's digests (`{ MAIL: 'DAILY' }`); a method left out is sent at once. */
export function parseDigests(json: unknown): Map<NotificationMethod, DigestFrequency> {
  const out = new Map<NotificationMethod, DigestFrequency>();
  for (const [method, frequency] of Object.entries((json ?? {}) as Record<string, unknown>)) {
    if (DIGEST_METHODS.includes(method as NotificationMethod) && (frequency === 'HOURLY' || frequency === 'DAILY')) out.set(method as NotificationMethod, frequency);
  }
  return out;
}

/** when a digest of `frequency` started at `now` goes out: the next full hour, or the next midnight (UTC) */
export function nextDigestAt(frequency: DigestFrequency, now: Date): Date {
  const at = new Date(now);
  if (frequency === 'HOURLY') at.setUTCHours(at.getUTCHours() + 1, 0, 0, 0);
  else at.setUTCHours(24, 0, 0, 0);
  return at;
}

export interface Audience {
  system: SystemSettings;
  systemRow: NotificationSettings | null;
  /** active users who may see the event, with their personal and (for product events) product rows */
  users: Array<{ user: User; personal: NotificationSettings | null; product: NotificationSettings | null }>;
  superuserIds: number[];
  webhooks: Webhook[];
  trump: ReadonlySet<string>;
  /** the event's time: digests are due from it */
  now: Date;
}

/** The message as one setting row wants it: finding events keep the findings at or above its minimum; null when none is left. */
function filtered(message: NotificationMessage, setting: EventSetting): NotificationMessage | null {
  if (!setting.minimumSeverity || !FINDING_EVENTS.includes(message.event)) return message;
  const rank = severityRank(setting.minimumSeverity);
  const findings = message.findings.filter((f) => severityRank(f.severity) <= rank);
  return findings.length ? { ...message, findings } : null;
}

/** Every delivery one event asks for; each user gets at most one per method. */
export function planDeliveries(message: NotificationMessage, audience: Audience): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  const { system } = audience;
  const systemSetting = parseEventSettings(audience.systemRow?.events).get(message.event);
  const systemMessage = systemSetting ? filtered(message, systemSetting) : null;
  if (systemSetting && systemMessage) {
    const m = new Set(systemSetting.methods);
    if (m.has('MAIL') && system.enableMail && system.mailTo.trim()) {
      out.push({ method: 'MAIL', userId: null, webhookId: null, payload: { message: systemMessage, to: system.mailTo.split(',').map((a) => a.trim()).filter(Boolean) } });
    }
    if (m.has('SLACK') && system.enableSlack && system.slackChannel.trim()) {
      out.push({ method: 'SLACK', userId: null, webhookId: null, payload: { message: systemMessage, slackChannel: system.slackChannel.trim() } });
    }
    if (m.has('MSTEAMS') && system.enableMsteams && system.msteamsUrlCiphertext) out.push({ method: 'MSTEAMS', userId: null, webhookId: null, payload: { message: systemMessage } });
    if (m.has('WEBHOOKS') && system.enableWebhooks) {
      // an endpoint down for a while keeps its deliveries (they wait); only one a person switched off gets none
      for (const hook of audience.webhooks) if (hook.status !== 'INACTIVE_PERMANENT') out.push({ method: 'WEBHOOKS', userId: null, webhookId: hook.id, payload: { message: systemMessage } });
    }
    // DefectDojo: a system-scope alert goes to the superusers
    if (m.has('ALERT')) for (const id of audience.superuserIds) out.push({ method: 'ALERT', userId: id, webhookId: null, payload: { message: systemMessage } });
  }
  const trumps = audience.trump.has(message.event) && systemSetting && systemMessage;
  for (const { user, personal, product } of audience.users) {
    const own = parseEventSettings((product ?? personal)?.events).get(message.event);
    const wanted = new Map<NotificationMethod, NotificationMessage>();
    const ownMessage = own ? filtered(message, own) : null;
    if (own && ownMessage) for (const m of own.methods) wanted.set(m, ownMessage);
    if (trumps) for (const m of systemSetting.methods) if (!wanted.has(m)) wanted.set(m, systemMessage);
    const digests = parseDigests(personal?.digests);
    for (const [method, msg] of wanted) {
      if (!PERSONAL_METHODS.includes(method)) continue;
      if (out.some((d) => d.userId === user.id && d.method === method)) continue;
      const digest = digests.get(method);
      const digestAt = digest ? nextDigestAt(digest, audience.now) : null;
      if (method === 'ALERT') out.push({ method, userId: user.id, webhookId: null, payload: { message: msg } });
      if (method === 'MAIL' && system.enableMail) out.push({ method, userId: user.id, webhookId: null, payload: { message: msg, to: [user.email] }, digestAt });
      if (method === 'SLACK' && system.enableSlack) out.push({ method, userId: user.id, webhookId: null, payload: { message: msg, slackEmail: user.email }, digestAt });
    }
  }
  return out;
}
