// A webhook endpoint's configuration rules, for create and update, in one place: the URL (http or
// https, at most 2,000 characters), the one optional auth header (its value sealed here and never
// handed back), a URL moved to another origin needs the header value again (as connectors' tokens
// do), and whether the change needs a ping before it is saved.
import type { Webhook } from '@tributary/db';
import type { Services } from '../services.ts';
import { InputError } from '../util/input-error.ts';

export interface WebhookConfigInput {
  name?: string | null;
  url?: string | null;
  headerName?: string | null;
  headerValue?: string | null;
}

export interface WebhookColumns {
  name: string;
  url: string;
  headerName: string | null;
  headerValueCiphertext: string | null;
}

/** What the endpoint will be sent, for the ping: the header value in the clear (never stored so). */
export interface WebhookTarget {
  url: string;
  headerName: string | null;
  headerValue: string | null;
}

export const URL_MAX = 2000;
// DefectDojo allows 100 characters for each; a bearer JWT is longer than that, so the value gets more
const HEADER_NAME_MAX = 100;
const HEADER_VALUE_MAX = 4000;
/** RFC 9110 token characters */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** visible ASCII, space and tab: what every HTTP stack sends unchanged (no CR/LF/NUL, so no header injection) */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** headers the channel sets itself; a custom header may not replace them */
const RESERVED = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect',
  'proxy-connection', 'user-agent', 'accept', 'idempotency-key',
  'x-tributary-event', 'x-tributary-instance', 'x-defectdojo-event', 'x-defectdojo-instance']);

function originOf(url: string): string | null {
  try { return new URL(url).origin; } catch { return null; }
}

/** the problem with a webhook URL, or null: http(s), parseable, no credentials in it, at most 2,000 characters */
export function webhookUrlProblem(url: string): string | null {
  if (url.length > URL_MAX) return `must be at most ${URL_MAX} characters`;
  let u: URL;
  try { u = new URL(url); } catch { return 'is not a valid URL (e.g. https://hooks.example.com/tributary)'; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http or https URL, not ${u.protocol}`;
  if (u.username || u.password) return 'must not carry a user name or password; use headerName and headerValue for the credential';
  return null;
}

/**
 * Validated column values and the target to ping; `existing` for updates (fields left out keep their
 * value). An omitted or empty headerValue keeps the stored one; an empty headerName removes the header.
 * `changed` says whether what is sent, or where, changed: then the endpoint must answer a ping first.
 */
export function webhookColumns(services: Pick<Services, 'secrets'>, input: WebhookConfigInput, existing?: Webhook): { columns: WebhookColumns; target: WebhookTarget; changed: boolean } {
  const name = (input.name ?? existing?.name ?? '').trim();
  if (!name) throw new InputError('name', 'must not be blank');
  const url = input.url != null ? input.url.trim() : (existing?.url ?? '');
  const urlProblem = webhookUrlProblem(url);
  if (urlProblem) throw new InputError('url', urlProblem);

  const headerName = input.headerName === undefined ? (existing?.headerName ?? null) : (input.headerName?.trim() || null);
  const newValue = input.headerValue != null && input.headerValue !== '' ? input.headerValue : null;
  if (headerName !== null) {
    if (headerName.length > HEADER_NAME_MAX) throw new InputError('headerName', `must be at most ${HEADER_NAME_MAX} characters`);
    if (!HEADER_NAME.test(headerName)) throw new InputError('headerName', 'must be an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-), e.g. Authorization');
    if (RESERVED.has(headerName.toLowerCase())) throw new InputError('headerName', `${headerName} is set by Tributary itself; choose another header (e.g. Authorization)`);
  }
  if (newValue !== null) {
    if (headerName === null) throw new InputError('headerValue', 'needs a headerName to be sent in');
    if (newValue.length > HEADER_VALUE_MAX) throw new InputError('headerValue', `must be at most ${HEADER_VALUE_MAX} characters`);
    if (!HEADER_VALUE.test(newValue)) throw new InputError('headerValue', 'may hold printable ASCII characters, spaces and tabs only');
  }
  // a removed header takes its value with it
  const keptCiphertext = headerName !== null ? (existing?.headerValueCiphertext ?? null) : null;
  if (headerName !== null && newValue === null && keptCiphertext === null) throw new InputError('headerValue', `is required with headerName ${headerName}`);
  // a stored credential goes only to the origin it was entered for: pointing the webhook at another
  // server (scheme, host or port) needs it again, or anyone editing the URL could collect it
  if (existing && keptCiphertext && newValue === null && originOf(url) !== originOf(existing.url)) {
    throw new InputError('headerValue', `the URL now points at another server (${originOf(url)} instead of ${originOf(existing.url)}); enter the header value again to send it there`);
  }
  const changed = !existing || url !== existing.url || headerName !== existing.headerName || newValue !== null;
  // decrypted only for a ping: a rename needs no key
  const headerValue = newValue ?? (changed && keptCiphertext ? services.secrets.open(keptCiphertext) : null);
  return {
    columns: { name, url, headerName, headerValueCiphertext: newValue !== null ? services.secrets.seal(newValue) : keptCiphertext },
    target: { url, headerName, headerValue },
    changed,
  };
}
