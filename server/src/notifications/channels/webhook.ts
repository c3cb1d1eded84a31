// WEBHOOKS: one JSON POST per delivery to an endpoint an admin registered, DefectDojo-compatible
// (research/notification-channels.md §3): the same body keys and nesting, the event and instance in
// headers (ours, X-Tributary-*, and DefectDojo's X-DefectDojo-* names so an existing receiver keeps
// working), the optional auth header decrypted only to be sent, and `Idempotency-Key:
// tributary-delivery-<id>` so a receiver drops the repeat of a delivery whose answer was lost.
// After each send the endpoint's health moves per DefectDojo's state machine (webhook-status.ts).
//
// An INACTIVE_* endpoint's deliveries are NOT dropped (DefectDojo drops them): they are parked
// without a request and without counting an attempt, so they wait in the outbox — INACTIVE_TMP until
// its 60 s are up, INACTIVE_PERMANENT (a 4xx answer, 24 h of errors, or an admin switching it off)
// looking again every PARKED_RETRY_MS until an admin reactivates it (updateWebhook active: true wakes
// them at once). The one whose send got the 4xx is DEAD at once (retrying cannot help) and can be replayed.
import type { Webhook } from '@tributary/db';
import { httpTimeoutMs } from '../../config.ts';
import { ConnectorError } from '../../connectors/connector-error.ts';
import { GuardedHttp, retryAfterMs } from '../../connectors/http.ts';
import type { Services } from '../../services.ts';
import { InputError } from '../../util/input-error.ts';
import { DeliveryError, type NotificationMessage } from '../message.ts';
import { nextWebhookStatus, settledWebhookStatus, webhookTakesSends, type SendOutcome, type WebhookHealth } from '../webhook-status.ts';
import type { Channel } from './channel.ts';

/** DefectDojo's default webhooks_notifications_timeout */
const TIMEOUT_MS = 10_000;
/** how often a delivery parked on an INACTIVE_PERMANENT endpoint looks again */
export const PARKED_RETRY_MS = 15 * 60_000;
/** a receiver's answer is read for its status and a line of its body; more is not needed */
const MAX_ANSWER_BYTES = 256 * 1024;
const USER_AGENT = 'Tributary-1';
// The guard's refusals and a URL that cannot be fetched: no retry can fix them
const UNFIXABLE = /link-local|cloud-metadata|only http and https|not a valid URL|TLS error/;
/** every status is handed back, so 3xx/4xx/5xx are told apart here and Retry-After is read */
const ACCEPT_ALL = Array.from({ length: 500 }, (_, i) => i + 100);

type Severity = NotificationMessage['findings'][number]['severity'];
const SEVERITY_WORD: Record<Severity, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', INFO: 'Info' };

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try { return new URL(url).origin; } catch { return null; }
}

/** X-Tributary-Instance: the dashboard's address (DefectDojo's SITE_URL), TRIBUTARY_PUBLIC_URL */
function instanceOf(services: Pick<Services, 'config'>): string {
  return services.config.publicUrl;
}

/** The JSON body: DefectDojo's keys (§3.2–3.3) plus our `event`, `event_id`, `occurred_at` (extra keys are safe). */
export function webhookBody(message: NotificationMessage): Record<string, unknown> {
  const origin = originOf(message.url);
  const link = (path: string) => (origin ? `${origin}${path}` : null);
  const body: Record<string, unknown> = {
    description: message.description || `Event ${message.event} has occurred.`,
    title: message.title,
    // the endpoint owner in DefectDojo; ours are system endpoints, which DefectDojo sends null for
    user: null,
    ...(message.url ? { url_ui: message.url } : {}),
    event: message.event,
    event_id: message.eventId,
    occurred_at: message.occurredAt,
  };
  if (message.product) body.product = { id: message.product.id, name: message.product.name, url_ui: link(`/products/${message.product.id}`) };
  if (message.event === 'scan_added' || message.event === 'scan_added_empty') {
    const entry = (f: NotificationMessage['findings'][number]) => ({ id: f.id, title: f.title, severity: SEVERITY_WORD[f.severity] ?? f.severity, url_ui: link(`/findings/${f.id}`) });
    const list = (status: NotificationMessage['findings'][number]['status']) => message.findings.filter((f) => f.status === status).map(entry);
    // DefectDojo's lists: "mitigated" is our closed; all four always present, most severe first (render.ts sorts)
    const findings = { new: list('new'), reactivated: list('reactivated'), mitigated: list('closed'), untouched: list('untouched') };
    const counts = message.counts ?? { new: findings.new.length, closed: findings.mitigated.length, reactivated: findings.reactivated.length, untouched: findings.untouched.length };
    // DefectDojo counts new + reactivated + mitigated; untouched findings are not counted
    body.finding_count = counts.new + counts.reactivated + counts.closed;
    body.findings = findings;
    // the lists may be cut short (render.ts caps them); these are the whole numbers
    body.counts = { new: counts.new, reactivated: counts.reactivated, mitigated: counts.closed, untouched: counts.untouched };
  }
  return body;
}

/** DefectDojo's ping body, sent before an endpoint is saved */
export function pingBody(): Record<string, unknown> {
  return { description: 'Test webhook notification', title: '', user: null, event: 'ping' };
}

function webhookHttp(name: string, secret: string | null): GuardedHttp {
  // retries: 0: the delivery loop owns retries and their backoff. maxRedirects: 0: a POST that is
  // redirected is lost (301/302 turn it into a GET), so a 3xx is the endpoint's answer, not a hop.
  return new GuardedHttp({ service: name, secrets: [secret], retries: 0, timeoutMs: httpTimeoutMs() ?? TIMEOUT_MS, maxRedirects: 0, maxBodyBytes: MAX_ANSWER_BYTES });
}

interface Attempt {
  outcome: SendOutcome;
  /** the answer's status, when there was one */
  status?: number;
  retryAfterMs?: number;
}

/** One POST, classified: 2xx ok; 429/5xx and network trouble temporary; 3xx/4xx and the guard's refusals permanent. */
async function post(http: GuardedHttp, target: { url: string; headerName: string | null; headerValue: string | null }, event: string, instance: string, body: unknown, idempotencyKey?: string): Promise<Attempt> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
    'x-tributary-event': event,
    'x-tributary-instance': instance,
    'x-defectdojo-event': event,
    'x-defectdojo-instance': instance,
    ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    ...(target.headerName && target.headerValue !== null ? { [target.headerName]: target.headerValue } : {}),
  };
  let res;
  try {
    res = await http.request(target.url, { method: 'POST', headers, body: JSON.stringify(body), accept: ACCEPT_ALL });
  } catch (e) {
    if (!(e instanceof ConnectorError)) return { outcome: { kind: 'temporary', note: http.redact(`${http.service}: ${(e as Error).message}`) } };
    if (e.status !== undefined) return classifyStatus(http, e.status, '');
    return { outcome: { kind: UNFIXABLE.test(e.message) ? 'permanent' : 'temporary', note: http.redact(e.message) } };
  }
  return classifyStatus(http, res.status, res.body, res.headers.get('retry-after'));
}

function classifyStatus(http: GuardedHttp, status: number, body: string, retryAfter?: string | null): Attempt {
  if (status >= 200 && status < 300) return { outcome: { kind: 'ok' }, status };
  const said = summarize(body);
  if (status === 429 || status >= 500) {
    return { outcome: { kind: 'temporary', note: http.redact(`${http.service} answered HTTP ${status}${status === 429 ? ' (rate limited)' : ''}${said}`) }, status, retryAfterMs: retryAfterMs(retryAfter) };
  }
  const hint = status >= 300 && status < 400 ? ' (a redirect: webhooks are not redirected, enter the URL it points to)'
    : status === 401 || status === 403 ? ' (the auth header was rejected)' : status === 404 ? ' (not found: check the URL)' : '';
  return { outcome: { kind: 'permanent', note: http.redact(`${http.service} answered HTTP ${status}${hint}${said}`) }, status };
}

function summarize(body: string): string {
  const text = body.trimStart().startsWith('<') ? 'an HTML page' : body.replace(/\s+/g, ' ').trim();
  return text ? `: ${text.length > 200 ? text.slice(0, 200) + '…' : text}` : '';
}


const healthOf = (h: Pick<Webhook, 'status' | 'firstErrorAt' | 'lastErrorAt' | 'note'>): WebhookHealth =>
  ({ status: h.status, firstErrorAt: h.firstErrorAt, lastErrorAt: h.lastErrorAt, note: h.note });

/**
 * Moves the endpoint's state after a send. The row is locked and read again, so two deliveries
 * finishing at once each move it from what the other left. A clean ACTIVE endpoint after a success
 * (the common case) costs no write.
 */
async function recordOutcome(services: Services, hook: Webhook, outcome: SendOutcome, now: Date): Promise<void> {
  if (outcome.kind === 'ok' && hook.status === 'ACTIVE' && !hook.firstErrorAt && !hook.lastErrorAt) return;
  await services.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<Pick<Webhook, 'status' | 'firstErrorAt' | 'lastErrorAt' | 'note'>>>`
      SELECT status::text AS status, "firstErrorAt", "lastErrorAt", note FROM "Webhook" WHERE id = ${hook.id} FOR UPDATE`;
    if (!rows[0]) return; // deleted meanwhile
    const current = healthOf(rows[0]);
    const next = nextWebhookStatus(settledWebhookStatus(current, now), outcome, now);
    if (next.status === current.status && next.note === current.note && next.firstErrorAt?.getTime() === current.firstErrorAt?.getTime() && next.lastErrorAt?.getTime() === current.lastErrorAt?.getTime()) return;
    await tx.webhook.update({ where: { id: hook.id }, data: next });
  });
}

export const sendWebhook: Channel = async (ctx) => {
  const { services, delivery, payload } = ctx;
  const hook = delivery.webhookId === null ? null : await services.prisma.webhook.findUnique({ where: { id: delivery.webhookId } });
  if (!hook) throw new DeliveryError('the webhook of this delivery no longer exists', false);
  const now = new Date();
  const ready = webhookTakesSends(healthOf(hook), now);
  if (!ready.ok) {
    // parked, not dropped (see the top of this file): no request is made
    const why = hook.status === 'INACTIVE_PERMANENT'
      ? `is switched off (INACTIVE_PERMANENT${hook.note ? `: ${hook.note}` : ''}); the delivery waits until an admin reactivates it`
      : `is resting after an error (INACTIVE_TMP${hook.note ? `: ${hook.note}` : ''}); the delivery waits`;
    throw new DeliveryError(`webhook "${hook.name}" ${why}`, true, ready.retryAfterMs ?? PARKED_RETRY_MS, true);
  }
  const headerValue = hook.headerValueCiphertext ? services.secrets.open(hook.headerValueCiphertext) : null;
  const http = webhookHttp(`webhook "${hook.name}"`, headerValue);
  const message = payload.message;
  const attempt = await post(http, { url: hook.url, headerName: hook.headerName, headerValue }, message.event, instanceOf(services),
    webhookBody(message), `tributary-delivery-${delivery.id}`);
  await recordOutcome(services, hook, attempt.outcome, now);
  if (attempt.outcome.kind !== 'ok') throw new DeliveryError(attempt.outcome.note, attempt.outcome.kind === 'temporary', attempt.retryAfterMs);
};

/**
 * The `ping` an endpoint must answer with a 2xx before it is saved (DefectDojo refuses a save on
 * 400 or above; a 3xx is refused here too, since deliveries do not follow it). Throws InputError
 * naming `url` with the reason; the header value never appears in it.
 */
export async function pingWebhook(services: Pick<Services, 'config'>, hook: { url: string; headerName: string | null; headerValue: string | null }): Promise<void> {
  const http = webhookHttp('the webhook', hook.headerValue);
  const attempt = await post(http, hook, 'ping', instanceOf(services), pingBody());
  if (attempt.outcome.kind !== 'ok') throw new InputError('url', `the ping failed: ${attempt.outcome.note}. The endpoint must answer a POST with a 2xx status.`);
}

/** testWebhook: the same ping, answered as ok/message rather than thrown; the endpoint's state is left alone. */
export async function testWebhookEndpoint(services: Services, hook: Webhook): Promise<{ ok: boolean; message: string }> {
  const headerValue = hook.headerValueCiphertext ? services.secrets.open(hook.headerValueCiphertext) : null;
  const http = webhookHttp(`webhook "${hook.name}"`, headerValue);
  const attempt = await post(http, { url: hook.url, headerName: hook.headerName, headerValue }, 'ping', instanceOf(services), pingBody());
  return attempt.outcome.kind === 'ok'
    ? { ok: true, message: `${hook.url} answered the ping with HTTP ${attempt.status}` }
    : { ok: false, message: attempt.outcome.note };
}
