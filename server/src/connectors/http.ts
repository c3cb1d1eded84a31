// The one guarded HTTP client for every outbound call (vendor APIs now; Slack, Teams and webhooks
// later): per-attempt timeouts, retries with backoff on 429/5xx honouring Retry-After and on
// timeouts and connection errors (GET and HEAD only, unless the request never left), no retry on
// other 4xx, redirects followed by hand so each hop is re-checked and a hop to another origin goes
// without the token, link-local and cloud-metadata addresses refused at connect time (so DNS
// rebinding cannot slip past), bodies capped, and every error message scrubbed of the secrets it
// was given.
import dns from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { ConnectorError } from './connector-error.ts';

// Loopback and private ranges stay allowed on purpose: self-hosted SonarQube / Dependency-Track /
// GitLab usually live on a private network. Link-local covers 169.254.169.254 (AWS, GCP, Azure);
// 168.63.129.16 is Azure's wireserver, which hands out VM extension settings and is not link-local.
const BLOCKED_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);
const BLOCKED_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254', '192.0.0.192', '168.63.129.16']);

// IPv6 addresses that a translator on the path turns into the IPv4 address in their last 32 bits:
// IPv4-mapped, SIIT's IPv4-translated (RFC 6145) and NAT64's well-known prefix (RFC 6052), so
// 64:ff9b::a9fe:a9fe reaches 169.254.169.254. They are judged by that IPv4 address rather than
// refused whole, because DNS64 on IPv6-only networks (AWS IPv6-only subnets among them) answers
// 64:ff9b::/96 for every IPv4-only vendor host, api.github.com included.
const EMBEDS_IPV4_AT_END = [ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), ipaddr.IPv6.parseCIDR('64:ff9b::/96')];
// The local-use NAT64 prefix (RFC 8215) may place the IPv4 address at any of RFC 6052's six
// offsets, so which IPv4 host it reaches cannot be told from the address: refused whole.
const NAT64_LOCAL_USE = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');

/**
 * How long a rate-limited answer asks us to wait, or undefined when it is not one. GitHub answers
 * both its primary and its secondary rate limits with 403 or 429 (docs.github.com, "Rate limits for
 * the REST API": "If the retry-after response header is present, you should not retry your request
 * until after that many seconds has elapsed. If the x-ratelimit-remaining header is 0, you should
 * not retry your request until after the time, in UTC epoch seconds, specified by the
 * x-ratelimit-reset header"). A 403 with neither header is a permission error and is not retried.
 */
export function rateLimitWait(res: Pick<HttpResponse, 'status' | 'headers'>): number | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const asked = retryAfterMs(res.headers.get('retry-after'));
  if (asked !== undefined) return asked;
  if (res.headers.get('x-ratelimit-remaining')?.trim() !== '0') return undefined;
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  // the reset is in whole seconds: a quarter second past it, so the retry does not land just before
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) + 250 : undefined;
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv6) {
    if (ip.match(NAT64_LOCAL_USE)) return true;
    if (EMBEDS_IPV4_AT_END.some((cidr) => (ip as ipaddr.IPv6).match(cidr))) ip = new ipaddr.IPv4(ip.toByteArray().slice(12));
  }
  const range = ip.range();
  return range === 'linkLocal' || range === 'unspecified' || BLOCKED_ADDRESSES.has(ip.toString());
}

function guardedLookup(hostname: string, options: dns.LookupOptions, callback: (...a: any[]) => void) {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isForbiddenAddress(a.address));
    if (bad) return callback(Object.assign(new Error(`address ${bad.address} is not allowed`), { code: 'EFORBIDDENADDR' }));
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  });
}

const agent = new Agent({ connect: { lookup: guardedLookup as any }, keepAliveTimeout: 10_000 });

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** statuses returned to the caller instead of thrown (e.g. GitHub's 404 "no analysis found") */
  accept?: number[];
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  json<T = any>(): T;
}

export interface GuardedHttpOptions {
  /** the tool's name, used in every message: "401 from SonarQube: …" */
  service: string;
  /** values that must never appear in an error (tokens, header values) */
  secrets?: Array<string | null | undefined>;
  timeoutMs?: number;
  retries?: number;
  /** first backoff step; doubles per attempt (with jitter) */
  backoffMs?: number;
  /** longest Retry-After we honour before giving up on the call */
  maxRetryAfterMs?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/*
 * A failure with no answer is retried only where repeating the request cannot do anything twice.
 * GET and HEAD are safe (RFC 9110 §9.2.1), so a timeout, a reset or a body cut short is retried for
 * them. A POST (GitLab's, Burp's and Wiz's GraphQL, Security Hub's GetFindings, token exchanges) may
 * have reached the tool before the connection failed, so it is retried only when the connection was
 * never made: refused, or a name that did not resolve *for now* (EAI_AGAIN). A name that does not
 * exist (ENOTFOUND), a TLS error and a refused address are not transient and fail at once.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const NEVER_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const LOST_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// 300, 304 and 305 carry no target to follow, even when a Location header is present.
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Credentials by name; the secret-value test below catches the rest (Dependency-Track's X-Api-Key,
// GitLab's PRIVATE-TOKEN, or the next kind's own header), these stay even for a secret under 4 chars.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'private-token']);
// Headers that describe a body, dropped with it (the Fetch standard's "request-body-header names").
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/** What is sent on one hop of a redirect chain. */
interface Hop {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A request that got no (complete) answer; `retry` says when sending it again is harmless. */
class NetworkFailure extends ConnectorError {
  constructor(message: string, readonly retry: 'any-method' | 'safe-method' | 'never') {
    super(message);
  }
}

export class GuardedHttp {
  readonly service: string;
  /** each secret with its URL-encoded and base64 forms (Basic auth sends `base64(token:)`) */
  private readonly secretForms: string[];
  /** the options' timeouts, retry budget and size caps, defaults filled in */
  private readonly limits: Required<Omit<GuardedHttpOptions, 'service' | 'secrets'>>;

  constructor(opts: GuardedHttpOptions) {
    this.service = opts.service;
    this.secretForms = (opts.secrets ?? [])
      .filter((s): s is string => !!s && s.length >= 4)
      .flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64'), Buffer.from(`${s}:`).toString('base64')]);
    this.limits = {
      timeoutMs: opts.timeoutMs ?? 30_000,
      retries: opts.retries ?? 4,
      backoffMs: opts.backoffMs ?? 500,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000,
      // 64 MB: a Dependency-Track project with ~20k findings is ~40 MB of JSON
      maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 * 1024,
      maxRedirects: opts.maxRedirects ?? 5,
    };
  }

  /** Removes every configured secret (and its URL-encoded / base64 forms) from a message. */
  redact(message: string): string {
    let out = message;
    for (const form of this.secretForms) out = out.split(form).join('[redacted]');
    return out;
  }

  fail(message: string, status?: number): never {
    throw new ConnectorError(this.redact(message), status);
  }

  async request(url: string, init: HttpRequest = {}, signal?: AbortSignal): Promise<HttpResponse> {
    const method = (init.method ?? 'GET').toUpperCase();
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.once(url, init, signal);
      } catch (e) {
        if (!(e instanceof NetworkFailure)) throw e;
        const again = e.retry === 'any-method' || (e.retry === 'safe-method' && SAFE_METHODS.has(method));
        if (again && attempt < this.limits.retries) { await sleep(this.retryDelay(null, attempt), signal); continue; }
        // the message says how often it was tried, so a vendor that is down is told from a blip
        throw attempt > 0 ? new ConnectorError(`${e.message} (${attempt + 1} attempts)`) : e;
      }
      if (res.status >= 200 && res.status < 300) return res;
      // a rate limit is retried even when the caller accepts the status: a 403 is how GitHub answers
      // most of its rate limits, and the caller accepts 403 to read "feature not enabled"
      const limited = rateLimitWait(res);
      if (limited !== undefined && attempt < this.limits.retries && limited <= this.limits.maxRetryAfterMs) {
        await sleep(limited, signal);
        continue;
      }
      if (init.accept?.includes(res.status)) return res;
      if (RETRYABLE.has(res.status) && attempt < this.limits.retries) {
        const wait = this.retryDelay(res.headers.get('retry-after'), attempt);
        if (wait <= this.limits.maxRetryAfterMs) { await sleep(wait, signal); continue; }
      }
      this.fail(`${res.status} from ${this.service}${statusHint(res.status)}: ${summarizeBody(res.body)} (${redactUrl(res.url)})`, res.status);
    }
  }

  async json<T = any>(url: string, init: HttpRequest = {}, signal?: AbortSignal): Promise<{ data: T; response: HttpResponse }> {
    const response = await this.request(url, { ...init, headers: { accept: 'application/json', ...init.headers } }, signal);
    return { data: this.parseJson<T>(response), response };
  }

  parseJson<T>(response: HttpResponse): T {
    try {
      return JSON.parse(response.body) as T;
    } catch {
      const type = response.headers.get('content-type') ?? 'no content type';
      this.fail(`${this.service} answered HTTP ${response.status} with ${type}, not JSON: ${summarizeBody(response.body)} (${redactUrl(response.url)})`, response.status);
    }
  }

  private retryDelay(retryAfter: string | null, attempt: number): number {
    const asked = retryAfterMs(retryAfter);
    if (asked !== undefined) return asked;
    const base = this.limits.backoffMs * 2 ** attempt;
    return base / 2 + Math.random() * base / 2;
  }

  private async once(url: string, init: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    let current = url;
    let sent: Hop = { method: init.method ?? 'GET', headers: { ...init.headers }, body: init.body };
    let origin: string | undefined;
    for (let hop = 0; ; hop++) {
      const target = this.checkUrl(current);
      origin ??= target.origin;
      // The token belongs to the configured origin only (scheme, host and port, so https → http
      // counts as leaving it). Once a hop has left, the headers stay stripped even if a later hop
      // comes back: that URL was chosen by the foreign host. Browsers and the Fetch standard agree.
      if (target.origin !== origin) sent = { ...sent, headers: this.withoutCredentials(sent.headers) };
      const timeout = AbortSignal.timeout(this.limits.timeoutMs);
      let res;
      try {
        res = await undiciFetch(target, {
          method: sent.method,
          headers: sent.headers,
          body: sent.body,
          redirect: 'manual',
          dispatcher: agent,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new NetworkFailure(this.redact(`${this.service} at ${redactUrl(target.origin)} could not be reached: ${describeNetworkError(e, this.limits.timeoutMs)}`), retryOf(e));
      }
      if (REDIRECTS.has(res.status) && res.headers.get('location')) {
        await res.body?.cancel();
        if (hop >= this.limits.maxRedirects) this.fail(`${this.service}: more than ${this.limits.maxRedirects} redirects from ${redactUrl(url)}`, res.status);
        current = new URL(res.headers.get('location')!, target).toString();
        sent = redirectedMethod(sent, res.status);
        continue;
      }
      const body = await this.readCapped(res, timeout);
      return {
        status: res.status,
        url: target.toString(),
        headers: res.headers as unknown as Headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
    }
  }

  /** The headers minus every one that names a credential or carries a configured secret in any form. */
  private withoutCredentials(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).filter(([name, value]) =>
      !CREDENTIAL_HEADERS.has(name.toLowerCase()) && !this.secretForms.some((form) => value.includes(form))));
  }

  private checkUrl(raw: string): URL {
    let u: URL;
    try { u = new URL(raw); } catch { this.fail(`${this.service}: "${redactUrl(raw)}" is not a valid URL`); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') this.fail(`${this.service}: only http and https URLs are allowed, not ${u.protocol}`);
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (BLOCKED_HOSTNAMES.has(host) || isForbiddenAddress(host)) this.fail(`${this.service}: ${host} is a link-local or cloud-metadata address and is never contacted`);
    return u;
  }

  private async readCapped(res: Awaited<ReturnType<typeof undiciFetch>>, timeout: AbortSignal): Promise<string> {
    if (!res.body) return '';
    // a declared length over the cap fails before a byte is read
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.limits.maxBodyBytes) {
      await res.body.cancel().catch(() => {});
      this.fail(`${this.service} sent a response larger than ${this.limits.maxBodyBytes} bytes (${declared} announced)`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      // leaving the loop by a throw cancels the stream, which closes the connection: a 200 MB body
      // costs the cap and no more (test/reliability/hostile-vendors.test.ts)
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > this.limits.maxBodyBytes) this.fail(`${this.service} sent a response larger than ${this.limits.maxBodyBytes} bytes`);
        // undici hands each chunk over and keeps no reference: held as is, not copied
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      const cause = timeout.aborted ? `timed out after ${this.limits.timeoutMs} ms` : (e as Error).message;
      throw new NetworkFailure(this.redact(`${this.service}: the response was cut short: ${cause}`), 'safe-method');
    }
    // invalid UTF-8 becomes U+FFFD instead of throwing: findings carry arbitrary text
    return Buffer.concat(chunks).toString('utf8');
  }
}

// A 303 means "fetch the result with GET", and a 301/302 after POST is turned into GET by every
// browser and curl -L, which servers rely on (POST, then redirect to the result). Re-sending the
// POST would submit it again somewhere it was not meant for (GitLab's GraphQL query is our POST),
// so the method becomes GET and the body goes. 307 and 308 exist to keep both, so they do.
function redirectedMethod(sent: Hop, status: number): Hop {
  const method = sent.method.toUpperCase();
  const toGet = (status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  if (!toGet) return sent;
  const headers = Object.fromEntries(Object.entries(sent.headers).filter(([name]) => !BODY_HEADERS.has(name.toLowerCase())));
  return { method: 'GET', headers };
}

/** Guards a pagination loop: a `next` link that repeats, or more pages than any tool has, is an error. */
export function pageGuard(http: GuardedHttp, maxPages = 10_000) {
  const seen = new Set<string>();
  return (pageUrlOrKey: string) => {
    if (seen.has(pageUrlOrKey)) http.fail(`${http.service}: pagination loops back to a page already read (${redactUrl(pageUrlOrKey)})`);
    if (seen.size >= maxPages) http.fail(`${http.service}: more than ${maxPages} pages; stopping`);
    seen.add(pageUrlOrKey);
  };
}

/** The `rel="next"` target of an RFC 8288 Link header (GitHub, GitLab), or null. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) return m[1]!;
  }
  return null;
}

/** Joins a base URL (which may carry a path, e.g. GHES's /api/v3) and an API path. */
export function joinUrl(base: string, path: string, query?: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URL(base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''));
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  return u.toString();
}

function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = ''; u.password = '';
    for (const k of [...u.searchParams.keys()]) if (/token|key|secret|password|auth/i.test(k)) u.searchParams.set(k, 'redacted');
    return u.toString();
  } catch {
    return raw.slice(0, 200);
  }
}

function statusHint(status: number): string {
  if (status === 401) return ' (the token was rejected)';
  if (status === 403) return ' (the token lacks a permission)';
  if (status === 404) return ' (not found: check the URL)';
  if (status === 429) return ' (rate limited)';
  return '';
}

function summarizeBody(body: string): string {
  const text = body.trimStart().startsWith('<') ? 'an HTML page' : body.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? text.slice(0, 300) + '…' : text || 'empty body';
}

function describeNetworkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = err.cause?.code ?? '';
  if (code === 'EFORBIDDENADDR') return `${err.cause?.message} (link-local and cloud-metadata addresses are refused)`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connection timed out';
  if (/CERT|SSL|TLS/i.test(code) || /certificate|SSL|TLS/i.test(err.cause?.message ?? '')) return `TLS error: ${err.cause?.message ?? code}`;
  return err.cause?.message ?? err.message ?? String(e);
}

/** Whether a failed fetch may be sent again: see SAFE_METHODS above. */
function retryOf(e: unknown): NetworkFailure['retry'] {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'safe-method';
  const code = err.cause?.code ?? '';
  if (NEVER_SENT.has(code)) return 'any-method';
  if (LOST_ANSWER.has(code)) return 'safe-method';
  return 'never';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}
