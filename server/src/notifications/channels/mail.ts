// The MAIL channel: one delivery → one text + HTML message over SMTP (TRIBUTARY_SMTP_URL), through a
// pooled nodemailer transport per SMTP URL that every delivery of the process reuses.
import nodemailer from 'nodemailer';
import type { Mail, NodemailerError, SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer';
import type { Severity } from '../../severity.ts';
import { DeliveryError, type NotificationMessage } from '../message.ts';
import type { Channel } from './channel.ts';

/** findings listed in one mail at most: mail gets forwarded and archived, the dashboard has the rest */
const MAX_LISTED = 50;
/** mail clients' list views cut a subject well before 150 characters; nodemailer folds the header line */
const MAX_SUBJECT = 150;
/** a server reply quoted in an error is capped: it lands in Delivery.lastError and the admin page */
const MAX_ERROR = 500;

const POOL: SMTPPoolOptions = {
  pool: true,
  // nodemailer's defaults, kept on purpose: relays throttle clients that open more
  maxConnections: 5,
  maxMessages: 100,
  // nodemailer waits 2 min to connect, 30 s for the greeting and 10 min on a silent socket; a
  // delivery job holds a worker slot that long, and the delivery loop retries anyway
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  tls: { minVersion: 'TLSv1.2' },
};

/** URL query options an admin may set (e.g. smtp://relay:587?requireTLS=true) */
const URL_OPTIONS = ['requireTLS', 'ignoreTLS'] as const;

/** codes of failures retrying cannot fix (research/notification-channels.md §4.2): bad credentials, TLS, configuration, addresses */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS']);

type Transport = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

interface Server {
  transport: Transport;
  /** scheme://host:port, never the credentials: what error messages name */
  label: string;
  /** the URL's user and password, raw and decoded, longest first: scrubbed from every error message */
  secrets: string[];
}

const servers = new Map<string, Server>();

export const sendMail: Channel = async (ctx) => {
  const { smtpUrl, mailFrom } = ctx.services.config;
  if (!smtpUrl) throw new DeliveryError('mail is not configured (TRIBUTARY_SMTP_URL)', false);
  const to = ctx.payload.to?.filter(Boolean) ?? [];
  if (to.length === 0) throw new DeliveryError('mail delivery has no recipient address', false);
  const server = serverFor(smtpUrl);
  const message = ctx.payload.message;
  let info: SMTPPoolSentMessageInfo;
  try {
    info = await server.transport.sendMail({
      from: mailFrom,
      to,
      subject: subjectOf(message),
      text: renderText(message),
      html: renderHtml(message),
      // one id per delivery: a retry after a lost "250 OK" is the same message to clients that de-duplicate
      messageId: `<tributary-delivery-${ctx.delivery.id}@${domainOf(mailFrom)}>`,
      headers: {
        // RFC 3834: stops out-of-office replies to a no-reply sender
        'Auto-Submitted': 'auto-generated',
        'X-Tributary-Event': message.event,
        'X-Tributary-Event-Id': String(message.eventId),
      },
    });
  } catch (err) {
    throw toDeliveryError(err as NodemailerError, server);
  }
  // a partial refusal resolves: some recipients have the mail, so a retry would send it to them twice
  if (info.rejected.length > 0) {
    const refused = (info.rejectedErrors ?? []).map((e) => `${e.recipient ?? '?'} (${e.response ?? e.code ?? 'refused'})`).join(', ');
    throw new DeliveryError(scrub(`SMTP ${server.label} accepted the mail for ${info.accepted.length} of ${to.length} recipients; refused ${refused}`, server), false);
  }
};

/** Closes every pooled SMTP connection; the app calls it at stop so the process can exit. */
export function closeMailTransports(): void {
  for (const server of servers.values()) server.transport.close();
  servers.clear();
}

function serverFor(smtpUrl: string): Server {
  const cached = servers.get(smtpUrl);
  if (cached) return cached;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // the URL may hold a password: say what is wrong, never echo it
    throw new DeliveryError('TRIBUTARY_SMTP_URL is not a URL like smtp://user:password@host:587', false);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new DeliveryError(`TRIBUTARY_SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//)`, false);
  const secure = url.protocol === 'smtps:';
  const options: SMTPPoolOptions & { pool: true } = { ...POOL, pool: true, host: url.hostname.replace(/^\[|\]$/g, ''), secure };
  if (url.port) options.port = Number(url.port);
  const user = decoded(url.username);
  const pass = decoded(url.password);
  if (user || pass) options.auth = { user, pass };
  for (const [key, value] of url.searchParams) {
    if (!(URL_OPTIONS as readonly string[]).includes(key)) throw new DeliveryError(`TRIBUTARY_SMTP_URL: unknown option "${key}" (known: ${URL_OPTIONS.join(', ')})`, false);
    options[key as (typeof URL_OPTIONS)[number]] = value === 'true' || value === '1';
  }
  const server: Server = {
    transport: nodemailer.createTransport(options),
    label: `${url.protocol}//${url.host}`,
    secrets: [url.username, url.password, user, pass].filter((s) => s.length > 0).sort((a, b) => b.length - a.length),
  };
  servers.set(smtpUrl, server);
  return server;
}

/** a stray % in a password ("50%off") is kept as typed instead of failing every send */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function toDeliveryError(err: NodemailerError, server: Server): DeliveryError {
  const code = err.responseCode;
  // RFC 5321: 4yz is transient, 5yz permanent, except 503 (bad sequence: a new connection may pass)
  const retryable = typeof code === 'number' && code >= 400 ? code < 500 || code === 503 : !PERMANENT_CODES.has(err.code ?? '');
  const cause = err.originalCode && !err.message.includes(err.originalCode) ? ` (${err.originalCode})` : '';
  return new DeliveryError(scrub(`SMTP ${server.label}: ${err.message}${cause}`, server), retryable);
}

/** removes the URL's credentials from a message (a server may echo the login back) and caps its length */
function scrub(text: string, server: Server): string {
  let out = text;
  for (const secret of server.secrets) out = out.split(secret).join('***');
  return out.length > MAX_ERROR ? `${out.slice(0, MAX_ERROR - 1)}…` : out;
}

function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(address)?.[1] ?? 'tributary.localhost';
}

function subjectOf(message: NotificationMessage): string {
  const subject = `[Tributary] ${message.title.replace(/\s+/g, ' ').trim()}`;
  return subject.length > MAX_SUBJECT ? `${subject.slice(0, MAX_SUBJECT - 1)}…` : subject;
}

const STATUS_WORD: Record<NotificationMessage['findings'][number]['status'], string> = {
  new: 'new', closed: 'closed', reactivated: 'reopened', untouched: 'unchanged',
};

function countsLine(counts: NonNullable<NotificationMessage['counts']>): string {
  return `${counts.new} new, ${counts.closed} closed, ${counts.reactivated} reopened, ${counts.untouched} unchanged`;
}

/** only http(s) links become links: a javascript: URL in a mail is an attack, not a link */
function safeUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

function renderText(m: NotificationMessage): string {
  const lines = [m.title, ''];
  if (m.description) lines.push(m.description, '');
  if (m.product) lines.push(`Product: ${m.product.name}`);
  if (m.counts) lines.push(`Findings: ${countsLine(m.counts)}`);
  if (m.findings.length > 0) {
    lines.push('');
    for (const f of m.findings.slice(0, MAX_LISTED)) lines.push(`- [${f.severity}] ${f.title} (${STATUS_WORD[f.status]})`);
    if (m.findings.length > MAX_LISTED) lines.push(`and ${m.findings.length - MAX_LISTED} more`);
  }
  const url = safeUrl(m.url);
  if (url) lines.push('', `Open in Tributary: ${url}`);
  lines.push('', '--', footer(m));
  return lines.join('\n');
}

const SEVERITY_COLOR: Record<Severity, string> = {
  CRITICAL: '#b91c1c', HIGH: '#c2410c', MEDIUM: '#a16207', LOW: '#1d4ed8', INFO: '#4b5563',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** every value in the HTML part goes through this: titles and descriptions come from tool data */
function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function renderHtml(m: NotificationMessage): string {
  const url = safeUrl(m.url);
  const parts = [
    `<h2 style="font-family:sans-serif;margin:0 0 12px">${esc(m.title)}</h2>`,
    m.description ? `<p style="font-family:sans-serif;white-space:pre-wrap">${esc(m.description)}</p>` : '',
    m.product ? `<p style="font-family:sans-serif"><b>Product:</b> ${esc(m.product.name)}</p>` : '',
    m.counts ? `<p style="font-family:sans-serif"><b>Findings:</b> ${esc(countsLine(m.counts))}</p>` : '',
  ];
  if (m.findings.length > 0) {
    const rows = m.findings.slice(0, MAX_LISTED).map((f) =>
      `<tr><td style="padding:2px 8px;color:${SEVERITY_COLOR[f.severity]};font-weight:bold">${esc(f.severity)}</td>` +
      `<td style="padding:2px 8px">${esc(f.title)}</td><td style="padding:2px 8px">${esc(STATUS_WORD[f.status])}</td></tr>`);
    parts.push(
      '<table style="font-family:sans-serif;border-collapse:collapse">' +
      '<tr><th align="left" style="padding:2px 8px">Severity</th><th align="left" style="padding:2px 8px">Finding</th><th align="left" style="padding:2px 8px">Status</th></tr>' +
      `${rows.join('')}</table>`,
      m.findings.length > MAX_LISTED ? `<p style="font-family:sans-serif">and ${esc(m.findings.length - MAX_LISTED)} more</p>` : '',
    );
  }
  if (url) parts.push(`<p style="font-family:sans-serif"><a href="${esc(url)}">Open in Tributary</a></p>`);
  parts.push(`<hr><p style="font-family:sans-serif;font-size:12px;color:#6b7280">${esc(footer(m))}</p>`);
  return `<!doctype html><html><body>${parts.filter(Boolean).join('\n')}</body></html>`;
}

function footer(m: NotificationMessage): string {
  return `Sent by Tributary for the ${m.event} event at ${m.occurredAt}. Your notification settings choose what you receive.`;
}
