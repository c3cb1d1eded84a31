// The SLACK channel: one Block Kit message through the Web API's chat.postMessage, to the system
// channel or, for a personal delivery, to the user users.lookupByEmail finds (their App Home DM).
// Also slackAuthTest, which checks a bot token when a superuser saves it.
import { createHash } from 'node:crypto';
import { ConnectorError } from '../../connectors/connector-error.ts';
import { GuardedHttp, joinUrl, retryAfterMs, type HttpResponse } from '../../connectors/http.ts';
import type { Services } from '../../services.ts';
import { InputError } from '../../util/input-error.ts';
import { DeliveryError, type NotificationMessage } from '../message.ts';
import type { Channel } from './channel.ts';
import { createPacer, cut, humanEvent } from './format.ts';

// Slack answers HTTP 200 { ok: false, error } for everything but throttling. Only its words for
// "later" are retried: posting limits and Slack-side failures (a fatal_error may have partly
// posted; Slack offers no way to tell). Every other word (invalid_auth, not_authed,
// account_inactive, token_revoked, channel_not_found, not_in_channel, is_archived,
// users_not_found, missing_scope, invalid_blocks …) needs a person to act, so the delivery is DEAD.
const TRANSIENT = new Set(['ratelimited', 'rate_limited', 'message_limit_exceeded', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const HINTS: Record<string, string> = {
  invalid_auth: 'the bot token was rejected; save a new one',
  not_authed: 'no bot token was sent',
  account_inactive: 'the token belongs to a deactivated user or a deleted workspace',
  token_revoked: 'the token was revoked; reinstall the app and save its new token',
  channel_not_found: 'the channel does not exist or is private and the bot cannot see it',
  not_in_channel: 'invite the bot to the channel (/invite @app)',
  is_archived: 'the channel is archived',
  users_not_found: 'no Slack user has this email address',
  missing_scope: 'the app lacks a scope: it needs chat:write, users:read and users:read.email',
};

// Slack documents ~1 message per second per channel (short bursts allowed). Pacing here keeps one
// process from tripping the 429; a wait longer than MAX_PACE_WAIT_MS becomes a retryable failure
// instead, so a burst of thousands does not hold worker slots for minutes.
const SLACK_INTERVAL_MS = 1_000;
const MAX_PACE_WAIT_MS = 5_000;
// users.lookupByEmail is Tier 3 (~50/min): one lookup per address per hour is plenty, and a miss
// is kept for less so a colleague who joins Slack is found the same day.
const LOOKUP_TTL_MS = 60 * 60_000;
const LOOKUP_MISS_TTL_MS = 10 * 60_000;
const LOOKUP_CACHE_MAX = 10_000;
// Block Kit limits (api.slack.com/reference/block-kit): header 150, field 2,000, section text 3,000.
const HEADER_MAX = 150;
const FIELD_MAX = 2_000;
const SECTION_MAX = 3_000;
const TOP_FINDINGS = 5;

const pace = createPacer(SLACK_INTERVAL_MS, MAX_PACE_WAIT_MS, 'Slack');
/** key: sha256(token) + email → the user id, or null for "no such user"; tokens never kept as keys */
const userIds = new Map<string, { id: string | null; expires: number }>();

export const sendSlack: Channel = async ({ services, payload, system }) => {
  if (!system.slackTokenCiphertext) throw new DeliveryError('Slack is not configured', false);
  const token = services.secrets.open(system.slackTokenCiphertext);
  const http = slackHttp(token);
  let channel: string;
  if (payload.slackEmail) channel = await lookupUserId(services, http, token, payload.slackEmail);
  else if (payload.slackChannel) channel = payload.slackChannel;
  else throw new DeliveryError('Slack delivery has neither a channel nor a recipient email', false);
  const paceKey = `${tokenKey(token)}:${channel}`;
  await pace.wait(paceKey);
  const body = { channel, ...slackMessage(payload.message) };
  const res = await call(http, () => http.request(joinUrl(services.config.slackApiUrl, 'chat.postMessage'), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
    body: JSON.stringify(body),
    accept: ACCEPT_ALL,
  }));
  const retryAfter = retryAfterMs(res.headers.get('retry-after'));
  if (res.status === 429 && retryAfter !== undefined) pace.holdOff(paceKey, retryAfter);
  slackResult(http, res, 'chat.postMessage');
};

/** Checks a bot token with auth.test; throws InputError naming `slackToken` with Slack's reason. */
export async function slackAuthTest(services: Services, token: string): Promise<{ ok: true; team: string; user: string }> {
  if (!token.trim()) throw new InputError('slackToken', 'is empty: paste the Bot User OAuth Token (xoxb-…)');
  const http = slackHttp(token);
  try {
    const res = await call(http, () => http.request(joinUrl(services.config.slackApiUrl, 'auth.test'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      accept: ACCEPT_ALL,
    }));
    const data = slackResult(http, res, 'auth.test');
    return { ok: true, team: String(data.team ?? ''), user: String(data.user ?? '') };
  } catch (e) {
    throw new InputError('slackToken', http.redact(`Slack did not accept the token: ${(e as Error).message}`));
  }
}

/** The chat.postMessage content: Block Kit plus the `text` fallback for notifications and screen readers. */
export function slackMessage(m: NotificationMessage): { text: string; blocks: unknown[]; unfurl_links: false } {
  const fields = [field('Event', humanEvent(m.event))];
  if (m.product) fields.unshift(field('Product', escapeMrkdwn(m.product.name)));
  if (m.counts) {
    const c = m.counts;
    fields.push(field('Findings', `${c.new} new · ${c.closed} closed · ${c.reactivated} reactivated · ${c.untouched} untouched`));
  }
  if (m.findings.length) {
    const lines = m.findings.slice(0, TOP_FINDINGS).map((f) => `• *${f.severity}* ${escapeMrkdwn(f.title)} (${f.status})`);
    if (m.findings.length > TOP_FINDINGS) lines.push(`…and ${m.findings.length - TOP_FINDINGS} more`);
    fields.push(field(m.findings.length > TOP_FINDINGS ? 'Top findings' : 'Findings concerned', lines.join('\n')));
  }
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(m.title, HEADER_MAX), emoji: true } },
    { type: 'section', fields },
  ];
  if (m.description.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(m.description), SECTION_MAX) } });
  if (m.url) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'open_in_tributary', text: { type: 'plain_text', text: 'Open in Tributary' }, url: m.url }] });
  }
  const fallback = m.product ? `${m.title} (${m.product.name})` : m.title;
  return { text: cut(fallback, 3_000), blocks, unfurl_links: false };
}

async function lookupUserId(services: Services, http: GuardedHttp, token: string, email: string): Promise<string> {
  const key = `${tokenKey(token)}:${email.trim().toLowerCase()}`;
  const hit = userIds.get(key);
  if (hit && hit.expires > Date.now()) return hit.id ?? notFound();
  const res = await call(http, () => http.request(joinUrl(services.config.slackApiUrl, 'users.lookupByEmail', { email: email.trim() }), {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    accept: ACCEPT_ALL,
  }));
  let id: string | null;
  try {
    const data = slackResult(http, res, 'users.lookupByEmail');
    // a deactivated member is still returned, with deleted: true; Slack cannot DM them
    id = data.user && !data.user.deleted && typeof data.user.id === 'string' ? data.user.id : null;
  } catch (e) {
    if (!(e instanceof DeliveryError) || !e.message.includes('users_not_found')) throw e;
    id = null;
  }
  if (userIds.size >= LOOKUP_CACHE_MAX) userIds.delete(userIds.keys().next().value!);
  userIds.set(key, { id, expires: Date.now() + (id ? LOOKUP_TTL_MS : LOOKUP_MISS_TTL_MS) });
  return id ?? notFound();
}

function notFound(): never {
  throw new DeliveryError(`Slack users.lookupByEmail: users_not_found (${HINTS.users_not_found}; set the user's Slack email)`, false);
}

// Every status is handed back so Slack's 429 and 5xx are told apart here, not in GuardedHttp.
const ACCEPT_ALL = Array.from({ length: 500 }, (_, i) => i + 100);

function slackHttp(token: string): GuardedHttp {
  // retries: 0: the delivery loop owns retries and their backoff
  return new GuardedHttp({ service: 'Slack', secrets: [token], retries: 0, timeoutMs: 15_000, maxBodyBytes: 1024 * 1024, maxRedirects: 0 });
}

/** Runs a request; a network failure (refused, timed out, unresolvable) becomes a retryable DeliveryError. */
async function call(http: GuardedHttp, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await send();
  } catch (e) {
    if (e instanceof ConnectorError) throw new DeliveryError(http.redact(e.message), e.status === undefined || e.status >= 500);
    throw e;
  }
}

/** Slack's answer as data, or the DeliveryError it means. */
function slackResult(http: GuardedHttp, res: HttpResponse, method: string): any {
  if (res.status === 429) {
    throw new DeliveryError(`Slack ${method}: ratelimited (HTTP 429)`, true, retryAfterMs(res.headers.get('retry-after')));
  }
  if (res.status !== 200) {
    throw new DeliveryError(http.redact(`Slack ${method}: HTTP ${res.status}`), res.status >= 500 || res.status === 408);
  }
  let data: any;
  try {
    data = JSON.parse(res.body);
  } catch {
    throw new DeliveryError(`Slack ${method}: the answer was not JSON`, true);
  }
  if (data?.ok === true) return data;
  const error = typeof data?.error === 'string' ? data.error : 'unknown_error';
  const hint = HINTS[error] ? ` (${HINTS[error]})` : '';
  const needed = error === 'missing_scope' && data.needed ? ` needed: ${data.needed}` : '';
  throw new DeliveryError(http.redact(`Slack ${method}: ${error}${hint}${needed}`), TRANSIENT.has(error), retryAfterMs(res.headers.get('retry-after')));
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

function field(label: string, value: string) {
  return { type: 'mrkdwn', text: cut(`*${label}:*\n${value}`, FIELD_MAX) };
}

/** Slack's mrkdwn reads &, < and > as control characters (links, mentions). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
