// A loopback HTTP server with what every vendor fake needs: a request log, queued failures,
// a page-size cap and looping pagination. Each fake supplies only its tool's routes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FailSpec, FakeTool } from './fake.ts';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** objects are sent as JSON */
  body?: unknown;
}

export interface HttpFake {
  url: string;
  requests: Array<{ method: string; url: string; headers: Record<string, string> }>;
  pageSizeCap: number;
  loopingPagination: boolean;
  failNext(times: number, spec: FailSpec): void;
  close(): Promise<void>;
}

export async function startHttpFake(handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>, defaults: { pageSizeCap: number }): Promise<HttpFake> {
  const failures: Array<{ left: number; spec: FailSpec }> = [];
  const state: HttpFake = {
    url: '',
    requests: [],
    pageSizeCap: defaults.pageSizeCap,
    loopingPagination: false,
    failNext(times, spec) { failures.push({ left: times, spec }); },
    close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
    state.requests.push({ method: req.method!, url: req.url!, headers });
    const failure = failures.find((f) => f.left > 0 && (!f.spec.pathIncludes || req.url!.includes(f.spec.pathIncludes)));
    if (failure) {
      failure.left--;
      const h: Record<string, string> = { 'content-type': failure.spec.contentType ?? 'application/json' };
      if (failure.spec.retryAfter !== undefined) h['retry-after'] = String(failure.spec.retryAfter);
      const body = failure.spec.body ?? JSON.stringify({ message: `fake failure ${failure.spec.status}` });
      // a stalled body: half of it, then silence on an open connection (close() ends it)
      if (failure.spec.stall) { res.writeHead(failure.spec.status, h).write(body.slice(0, Math.ceil(body.length / 2))); return; }
      res.writeHead(failure.spec.status, h).end(body);
      return;
    }
    try {
      const reply = await handle({ method: req.method!, url: new URL(req.url!, state.url), headers, body: Buffer.concat(chunks).toString('utf8') });
      const isJson = typeof reply.body !== 'string';
      res.writeHead(reply.status ?? 200, { 'content-type': isJson ? 'application/json' : 'text/plain', ...reply.headers });
      res.end(isJson ? JSON.stringify(reply.body ?? null) : reply.body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake crashed: ${(e as Error).message}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}

/** The FakeTool controls every HTTP fake shares, wired to its server. */
export function fakeControls(http: HttpFake): Pick<FakeTool, 'failNext' | 'setPageSizeCap' | 'setLoopingPagination' | 'requests' | 'close'> {
  return {
    failNext: (times, spec) => http.failNext(times, spec),
    setPageSizeCap(n) { http.pageSizeCap = n; },
    setLoopingPagination(on) { http.loopingPagination = on; },
    requests: http.requests,
    close: () => http.close(),
  };
}
