// The MSTEAMS channel (system scope only): one Adaptive Card posted to the Power Automate
// "Workflows" webhook URL the superuser saved, in the message envelope the Teams template expects
// (research/notification-channels.md §2).
import { ConnectorError } from '../../connectors/connector-error.ts';
import { GuardedHttp, retryAfterMs } from '../../connectors/http.ts';
import { DeliveryError, type NotificationMessage } from '../message.ts';
import type { Channel } from './channel.ts';
import { createPacer, cut, humanEvent } from './format.ts';

// "If more than four requests are made in a second, the client connection is throttled" (Teams
// webhook docs): 250 ms apart per URL within this process.
const pace = createPacer(250, 5_000, 'Microsoft Teams');
// Teams caps the whole envelope at 28 KB and rejections are reported from ~20 KB, so we stay under
// 24 KB by showing fewer findings and a shorter description.
const MAX_BODY_BYTES = 24 * 1024;
const SHAPES = [{ findings: 10, description: 3_000 }, { findings: 3, description: 1_000 }, { findings: 0, description: 300 }];

export const sendTeams: Channel = async ({ services, payload, system }) => {
  if (!system.msteamsUrlCiphertext) throw new DeliveryError('Microsoft Teams is not configured', false);
  const url = services.secrets.open(system.msteamsUrlCiphertext);
  // The whole URL is a credential (its `sig` signs the trigger): never in an error or a log.
  const sig = safeSearchParam(url, 'sig');
  const http = new GuardedHttp({ service: 'Microsoft Teams', secrets: [url, sig], retries: 0, timeoutMs: 15_000, maxBodyBytes: 256 * 1024, maxRedirects: 0 });
  await pace.wait(url);
  let res;
  try {
    res = await http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: teamsBody(payload.message),
      accept: Array.from({ length: 500 }, (_, i) => i + 100),
    });
  } catch (e) {
    // refused, timed out, unresolvable: the endpoint may come back
    if (e instanceof ConnectorError) throw new DeliveryError(http.redact(e.message), true);
    throw e;
  }
  if (res.status >= 200 && res.status < 300) return;
  const retryAfter = retryAfterMs(res.headers.get('retry-after'));
  if (res.status === 429 && retryAfter !== undefined) pace.holdOff(url, retryAfter);
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new DeliveryError(http.redact(`Microsoft Teams answered HTTP ${res.status}${hint(res.status)}${detail(res.body)}`), retryable, retryable ? retryAfter : undefined);
};

/** The request body: the Workflows "message" envelope around one Adaptive Card, under 24 KB. */
export function teamsBody(m: NotificationMessage): string {
  let body = '';
  for (const shape of SHAPES) {
    body = JSON.stringify({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(m, shape) }],
    });
    if (Buffer.byteLength(body) <= MAX_BODY_BYTES) return body;
  }
  return body;
}

// Version 1.4: the Workflows "Post card in a chat or channel" step shows a 1.5 card as "We're
// sorry, this card couldn't be displayed" (AdaptiveCards #8965), so no Table either.
function adaptiveCard(m: NotificationMessage, shape: { findings: number; description: number }) {
  const facts = [{ title: 'Event', value: humanEvent(m.event) }];
  if (m.product) facts.unshift({ title: 'Product', value: m.product.name });
  if (m.counts) {
    const c = m.counts;
    facts.push({ title: 'Findings', value: `${c.new} new · ${c.closed} closed · ${c.reactivated} reactivated · ${c.untouched} untouched` });
  }
  facts.push({ title: 'When', value: m.occurredAt });
  const body: unknown[] = [
    { type: 'TextBlock', text: cut(m.title, 300), weight: 'Bolder', size: 'Large', wrap: true, ...(worst(m) ? { color: 'Attention' } : {}) },
    { type: 'FactSet', facts },
  ];
  if (m.description.trim() && shape.description) body.push({ type: 'TextBlock', text: cut(m.description, shape.description), wrap: true });
  const shown = m.findings.slice(0, shape.findings);
  if (shown.length) {
    body.push({ type: 'TextBlock', text: m.findings.length > shown.length ? `Top findings (${m.findings.length})` : 'Findings', weight: 'Bolder', wrap: true, spacing: 'Medium' });
    body.push({ type: 'FactSet', facts: shown.map((f) => ({ title: f.severity, value: `${cut(f.title, 300)} (${f.status})` })) });
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
    actions: m.url ? [{ type: 'Action.OpenUrl', title: 'Open in Tributary', url: m.url }] : [],
  };
}

function worst(m: NotificationMessage): boolean {
  return m.findings.some((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
}

function hint(status: number): string {
  if (status === 400) return ' (the request was not accepted: a bug in the card or its envelope)';
  if (status === 401 || status === 403) return ' (the flow refused the sender: set "Who can trigger the flow" to Anyone, or save the URL again)';
  if (status === 404) return ' (no such flow: it was deleted or the URL was retired; save a new Workflows URL)';
  if (status === 429) return ' (throttled)';
  return '';
}

function detail(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text || text.startsWith('<')) return '';
  return `: ${text.length > 300 ? text.slice(0, 300) + '…' : text}`;
}

function safeSearchParam(url: string, name: string): string | null {
  try { return new URL(url).searchParams.get(name); } catch { return null; }
}
