// What a browser may send to /graphql (HTTP and the websocket upgrade). A session cookie rides along
// with any request a page makes, so: a request from a foreign `Origin` is refused unless that origin
// is in TRIBUTARY_ALLOWED_ORIGINS; a POST must be JSON (form-encoded, multipart and text/plain POSTs
// are the "simple requests" a foreign page can send without a CORS preflight); bodies are capped.
// Requests with no Origin (scripts, servers, graphql-ws clients in Node) are not affected.
import type { IncomingMessage } from 'node:http';

/** 1 MiB: a query at the 5,000-token limit with its variables fits many times over (the websocket uses the same cap) */
export const MAX_BODY_BYTES = 1 << 20;

export interface Refusal { status: number; message: string }

/** same origin (the Host the browser addressed) or one the operator allowed */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let host: string;
  try { host = new URL(origin).host; } catch { return false; }
  // behind a proxy the browser addressed the proxy's host, which it forwards
  const forwarded = typeof req.headers['x-forwarded-host'] === 'string' ? req.headers['x-forwarded-host'].split(',')[0]!.trim() : undefined;
  return host === (forwarded ?? req.headers.host);
}

export function refuseGraphqlRequest(req: IncomingMessage, allowed: readonly string[]): Refusal | null {
  if (!originAllowed(req, allowed)) {
    return { status: 403, message: `Origin ${String(req.headers.origin).slice(0, 200)} may not call this API (set TRIBUTARY_ALLOWED_ORIGINS to allow it)` };
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'application/graphql+json') {
      return { status: 415, message: 'POST /graphql takes Content-Type: application/json' };
    }
    const length = req.headers['content-length'];
    if (length === undefined) return { status: 411, message: 'POST /graphql needs a Content-Length' };
    if (Number(length) > MAX_BODY_BYTES) return { status: 413, message: `request body over ${MAX_BODY_BYTES} bytes` };
  }
  return null;
}
