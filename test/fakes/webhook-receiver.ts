// A webhook receiver on loopback: records every request (headers lowercased, the body parsed) and
// answers 200 — or, when told, fails with a status (some times, or until it recovers), redirects,
// or hangs without answering, until `recover()`.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** the body as JSON, or undefined when it is not */
  json: any;
}

export interface FailOptions {
  /** how many requests fail; all until recover() when left out */
  times?: number;
  retryAfter?: string | number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** answer `status` (with `retryAfter`, `headers`, `body`) */
  failWith(status: number, opts?: FailOptions): void;
  /** never answer (the client's timeout decides), until recover() */
  hang(): void;
  /** answer 2xx again; hung requests are answered now */
  recover(): void;
  close(): Promise<void>;
}

type Mode = { kind: 'ok' } | { kind: 'hang' } | { kind: 'fail'; status: number; left: number; opts: FailOptions };

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let mode: Mode = { kind: 'ok' };
  const hung: ServerResponse[] = [];
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try { json = JSON.parse(body); } catch { json = undefined; }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
    requests.push({ method: req.method!, path: req.url!, headers, body, json });
    if (mode.kind === 'hang') { hung.push(res); return; }
    if (mode.kind === 'fail') {
      const { status, opts } = mode;
      if (--mode.left <= 0) mode = { kind: 'ok' };
      const h: Record<string, string> = { 'content-type': 'text/plain', ...opts.headers };
      if (opts.retryAfter !== undefined) h['retry-after'] = String(opts.retryAfter);
      res.writeHead(status, h).end(opts.body ?? `receiver failing with ${status}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const answerHung = () => { for (const res of hung.splice(0)) if (!res.writableEnded) res.writeHead(200).end('{"ok":true}'); };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failWith(status, opts = {}) { mode = { kind: 'fail', status, left: opts.times ?? Infinity, opts }; },
    hang() { mode = { kind: 'hang' }; },
    recover() { mode = { kind: 'ok' }; answerHung(); },
    close: () => new Promise<void>((r) => {
      answerHung();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
