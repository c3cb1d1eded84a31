// Hostile vendors (issue 15, part 3): every way a tool's API can misbehave — 500s, 429 with
// Retry-After, a refused connection, a name that does not resolve, no answer, a body that stalls
// half-way, a 200 MB body, malformed JSON, an HTML page with status 200, pagination that loops or
// jumps to another host — against GuardedHttp directly, against a real kind (DefectDojo) driven the
// way sync drives it, and through the real app's sync, where a finding present before must stay
// active. Each must end in a ConnectorError naming the cause, in bounded memory, with attempts
// counted: timeouts and connection errors are retried with backoff like 429/5xx (GET only, unless
// the request never left), a 200 MB body is cut at the cap.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuardedHttp, pageGuard } from '@tributary/server/connectors/http.ts';
import { sameOriginNext } from '@tributary/server/connectors/next-page.ts';
import { ConnectorError } from '@tributary/server/connectors/connector-error.ts';
import { findKind } from '@tributary/server/connectors/registry.ts';
import type { ConnectorKind, NormalizedFinding, Vep } from '@tributary/server/connectors/kind.ts';
import { startDefectDojoFake, type DefectDojoFake } from '../fakes/defectdojo.ts';
import { startHttpFake, type HttpFake } from '../fakes/http-fake.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { connectorFailure, contextFor, type ContextOverrides } from '../support/kinds.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, type DiscoverApp } from '../support/connectors.ts';
import { MAP_RECORD } from '../support/documents.ts';

const SECRET = 'tok_hostile_vendor_0123456789';
const MB = 1024 * 1024;
/** the cap the body cases use: the default (64 MB) would make the memory bound meaningless */
const CAP = 16 * MB;
const HTML_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login">Sign in to continue</form></body></html>';

// ---------------------------------------------------------------------------------------------
// attempts, counted where the client makes them (a refused connection never reaches a server)

const attempts = new Map<string, number>();
const onRequest = (message: unknown) => {
  const origin = String((message as { request: { origin: string } }).request.origin);
  attempts.set(origin, (attempts.get(origin) ?? 0) + 1);
};
beforeAll(() => subscribe('undici:request:create', onRequest));
afterAll(() => unsubscribe('undici:request:create', onRequest));
const attemptsTo = (url: string) => attempts.get(new URL(url).origin) ?? 0;

// ---------------------------------------------------------------------------------------------
// hostile servers

const closers: Array<() => Promise<void>> = [];
afterEach(async () => { for (const close of closers.splice(0)) await close(); });

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** a port nothing listens on */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

/** RFC 6761: `.invalid` never resolves */
const UNRESOLVABLE = 'http://vendor.tributary-hostile.invalid';

/** accepts every request and never answers */
async function silentServer() {
  let requests = 0;
  const { url } = await listen(() => { requests++; });
  return { url, requests: () => requests };
}

/** answers 200 with the first half of a JSON page, then nothing while the connection stays open */
async function stallingServer() {
  let requests = 0;
  const { url } = await listen((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).write('{"count": 3, "next": null, "results": [{"id": 1, "title": "A finding"');
  });
  return { url, requests: () => requests };
}

/**
 * Streams a 200 MB JSON body (chunked, no Content-Length) from one reused 64 KB buffer, honouring
 * backpressure, so the fake holds nothing: `sent` is what actually left before the client hung up.
 */
async function hugeBodyServer(totalBytes = 200 * MB, announce = false) {
  const chunk = Buffer.from(`{"id":1,"title":"${'x'.repeat(64 * 1024 - 20)}"},`);
  const state = { sent: 0, requests: 0, finished: false, closed: false };
  const { url } = await listen((_req, res) => {
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/json', ...(announce ? { 'content-length': String(totalBytes) } : {}) });
    res.on('close', () => { state.closed = true; });
    const pump = () => {
      while (!res.destroyed && state.sent < totalBytes) {
        const piece = state.sent === 0 ? Buffer.from('{"count":1,"next":null,"results":[') : chunk;
        state.sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed) { state.finished = true; res.end(']}'); }
    };
    pump();
  });
  return { url, state };
}

/** heap plus ArrayBuffers (where response chunks live), sampled every 10 ms while `work` runs */
async function peakMemoryDuring<T>(work: () => Promise<T>): Promise<{ outcome: T; growth: number }> {
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const base = used();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, used()); }, 10);
  try {
    const outcome = await work();
    peak = Math.max(peak, used());
    return { outcome, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

const client = (over: Partial<ConstructorParameters<typeof GuardedHttp>[0]> = {}) =>
  new GuardedHttp({ service: 'Vendor', secrets: [SECRET], backoffMs: 40, retries: 4, ...over });

// ---------------------------------------------------------------------------------------------

describe('GuardedHttp against a hostile vendor', () => {
  let fake: HttpFake;
  beforeAll(async () => { fake = await startHttpFake(() => ({ body: { ok: true } }), { pageSizeCap: 100 }); });
  afterAll(async () => { await fake.close(); });
  const requestsSince = (n: number) => fake.requests.length - n;

  it('500s: retried 4 times with backoff, then "500 from Vendor" with the body', async () => {
    const before = fake.requests.length;
    fake.failNext(5, { status: 500, body: '{"message":"Internal Server Error"}' });
    const started = Date.now();
    const err = await connectorFailure(client().json(`${fake.url}/api/items`));
    expect(err.message).toBe(`500 from Vendor: {"message":"Internal Server Error"} (${fake.url}/api/items)`);
    expect(requestsSince(before)).toBe(5);
    // 40 ms doubling, each step jittered between half and all of it: at least 20+40+80+160
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('429 with Retry-After: waits what it names, then succeeds; past the retries, "429 … (rate limited)"', async () => {
    let before = fake.requests.length;
    fake.failNext(1, { status: 429, retryAfter: 1, body: '{"message":"slow down"}' });
    const started = Date.now();
    expect((await client().json(`${fake.url}/api/items`)).data).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requestsSince(before)).toBe(2);

    before = fake.requests.length;
    fake.failNext(5, { status: 429, retryAfter: 0, body: '{"message":"slow down"}' });
    const err = await connectorFailure(client().json(`${fake.url}/api/items`));
    expect(err.message).toBe(`429 from Vendor (rate limited): {"message":"slow down"} (${fake.url}/api/items)`);
    expect(requestsSince(before)).toBe(5);
  });

  it('a refused connection: retried with backoff (any method: nothing was sent), then "connection refused (5 attempts)"', async () => {
    const url = await refusedUrl();
    const started = Date.now();
    const err = await connectorFailure(client().json(`${url}/api/items`));
    expect(err.message).toBe(`Vendor at ${url}/ could not be reached: connection refused (5 attempts)`);
    expect(attemptsTo(url)).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // a POST that could not connect never reached the tool, so it is retried too
    const post = await connectorFailure(client().json(`${url}/graphql`, { method: 'POST', body: '{}' }));
    expect(post.message).toBe(`Vendor at ${url}/ could not be reached: connection refused (5 attempts)`);
    expect(attemptsTo(url)).toBe(10);
  });

  it('a DNS failure: "the host name does not resolve", not retried (the name will not appear)', async () => {
    const err = await connectorFailure(client().json(`${UNRESOLVABLE}/api/items`));
    expect(err.message).toBe(`Vendor at ${UNRESOLVABLE}/ could not be reached: the host name does not resolve`);
    expect(attemptsTo(UNRESOLVABLE)).toBe(1);
  });

  it('a timeout (accepts, never answers): a GET is retried, "no answer within 200 ms (5 attempts)"; a POST is not', async () => {
    const silent = await silentServer();
    const err = await connectorFailure(client({ timeoutMs: 200 }).json(`${silent.url}/api/items`));
    expect(err.message).toBe(`Vendor at ${silent.url}/ could not be reached: no answer within 200 ms (5 attempts)`);
    expect(silent.requests()).toBe(5);
    // the POST may have been acted on before the answer was lost: sending it again could do it twice
    const post = await connectorFailure(client({ timeoutMs: 200 }).json(`${silent.url}/graphql`, { method: 'POST', body: '{"query":"{ x }"}' }));
    expect(post.message).toBe(`Vendor at ${silent.url}/ could not be reached: no answer within 200 ms`);
    expect(silent.requests()).toBe(6);
  });

  it('a body that stalls half-way: retried, then "the response was cut short: timed out after 200 ms (5 attempts)"', async () => {
    const stall = await stallingServer();
    const err = await connectorFailure(client({ timeoutMs: 200 }).json(`${stall.url}/api/items`));
    expect(err.message).toBe('Vendor: the response was cut short: timed out after 200 ms (5 attempts)');
    expect(stall.requests()).toBe(5);
  });

  it('a 200 MB body: cut at the cap, the connection closed, memory bounded, not retried', async () => {
    const huge = await hugeBodyServer();
    const { outcome, growth } = await peakMemoryDuring(() => client({ maxBodyBytes: CAP, timeoutMs: 20_000 }).json(`${huge.url}/api/items`).then(() => null, (e: unknown) => e));
    expect(outcome).toBeInstanceOf(ConnectorError);
    expect((outcome as Error).message).toBe(`Vendor sent a response larger than ${CAP} bytes`);
    await expect.poll(() => huge.state.closed).toBe(true);
    expect(huge.state.finished).toBe(false);
    // what left the server before the client hung up: the cap plus the sockets' buffers, far from 200 MB
    expect(huge.state.sent).toBeLessThan(CAP + 16 * MB);
    expect(growth).toBeLessThan(50 * MB);
    expect(huge.state.requests).toBe(1);
  });

  it('a 200 MB body announced by Content-Length fails before it is read', async () => {
    const huge = await hugeBodyServer(200 * MB, true);
    const err = await connectorFailure(client({ maxBodyBytes: CAP }).json(`${huge.url}/api/items`));
    expect(err.message).toBe(`Vendor sent a response larger than ${CAP} bytes (${200 * MB} announced)`);
    await expect.poll(() => huge.state.closed).toBe(true);
    expect(huge.state.sent).toBeLessThan(CAP);
  });

  it('malformed JSON: "answered HTTP 200 with application/json, not JSON", quoting the start', async () => {
    fake.failNext(1, { status: 200, body: '{"count": 3, "results": [{"id": 1,' });
    const err = await connectorFailure(client().json(`${fake.url}/api/items`));
    expect(err.message).toBe(`Vendor answered HTTP 200 with application/json, not JSON: {"count": 3, "results": [{"id": 1, (${fake.url}/api/items)`);
  });

  it('an HTML error page with status 200: "answered HTTP 200 with text/html, not JSON: an HTML page"', async () => {
    fake.failNext(1, { status: 200, contentType: 'text/html; charset=utf-8', body: HTML_PAGE });
    const err = await connectorFailure(client().json(`${fake.url}/api/items`));
    expect(err.message).toBe(`Vendor answered HTTP 200 with text/html; charset=utf-8, not JSON: an HTML page (${fake.url}/api/items)`);
  });

  it('pagination that loops, or jumps to another host, is refused by the pagination helpers', () => {
    const http = client();
    const guard = pageGuard(http);
    guard(`${fake.url}/api/items?page=1`);
    guard(`${fake.url}/api/items?page=2`);
    expect(() => guard(`${fake.url}/api/items?page=1`)).toThrow(`Vendor: pagination loops back to a page already read (${fake.url}/api/items?page=1)`);
    expect(() => sameOriginNext(http, 'http://evil.example:8080/api/items?page=2', `${fake.url}/api/items?page=1`, fake.url))
      .toThrow(`Vendor: the next-page link points at http://evil.example:8080, not ${fake.url}; refusing to send the token there`);
  });
});

// ---------------------------------------------------------------------------------------------

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
const findingsOf = (ids: string[]): FakeFinding[] => ids.map((id, i) => ({ id, title: `Finding ${id}`, severity: SEVERITIES[i % 5]!, filePath: `src/${id}.py`, line: 10 + i, cwe: 89 }));

/** Drains a listing as sync does: nothing is applied unless it ends normally. */
async function consumeLikeSync(listing: AsyncIterable<NormalizedFinding[]>): Promise<{ applied: NormalizedFinding[] | null; error: unknown }> {
  const pending: NormalizedFinding[] = [];
  try {
    for await (const page of listing) pending.push(...page);
  } catch (error) {
    return { applied: null, error };
  }
  return { applied: pending, error: null };
}

describe('DefectDojo driven as sync drives it, against a hostile vendor', () => {
  const kind = findKind('defectdojo') as ConnectorKind;
  const vep: Vep = { key: '1', name: 'shop' };
  let dojo: DefectDojoFake;
  let elsewhere: HttpFake;
  beforeAll(async () => {
    dojo = await startDefectDojoFake();
    elsewhere = await startHttpFake(() => ({ body: { count: 3, next: null, results: [] } }), { pageSizeCap: 100 });
  });
  afterAll(async () => { await dojo.close(); await elsewhere.close(); });
  afterEach(() => {
    dojo.setPageSizeCap(1000);
    dojo.setLoopingPagination(false);
    dojo.setNextLinkOrigin!(null);
  });

  /** the findings listing of product 1 (3 findings), with this context; returns what sync would see */
  async function fetchWith(over: ContextOverrides = {}) {
    dojo.setProjects([vep]);
    dojo.setFindings(vep.key, findingsOf(['a', 'b', 'c']));
    const before = dojo.requests.length;
    const outcome = await consumeLikeSync(kind.fetchFindings(contextFor(dojo, { ...over, http: { backoffMs: 10, ...over.http } }), vep));
    return { ...outcome, requests: dojo.requests.length - before, message: outcome.error instanceof ConnectorError ? outcome.error.message : String(outcome.error) };
  }

  it('reads all three findings when nothing goes wrong (the baseline every case departs from)', async () => {
    const ok = await fetchWith();
    expect(ok.applied?.map((f) => f.title)).toEqual(['Finding a', 'Finding b', 'Finding c']);
  });

  it('500s past every retry', async () => {
    dojo.failNext(5, { status: 500, pathIncludes: '/findings/', body: '<html><body>Server Error (500)</body></html>', contentType: 'text/html' });
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    expect(r.message).toMatch(/^500 from DefectDojo: an HTML page \(http:\/\/127\.0\.0\.1:\d+\/api\/v2\/findings\/\?/);
    expect(r.requests).toBe(5);
  });

  it('429 with Retry-After past every retry', async () => {
    dojo.failNext(5, { status: 429, retryAfter: 0, pathIncludes: '/findings/', body: '{"detail":"Request was throttled. Expected available in 0 seconds."}' });
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    expect(r.message).toMatch(/^429 from DefectDojo \(rate limited\): \{"detail":"Request was throttled/);
    expect(r.requests).toBe(5);
  });

  it('a refused connection', async () => {
    const url = await refusedUrl();
    const r = await fetchWith({ url });
    expect(r.applied).toBeNull();
    expect(r.message).toBe(`DefectDojo at ${url}/ could not be reached: connection refused (5 attempts)`);
    expect(attemptsTo(url)).toBe(5);
  });

  it('a DNS failure', async () => {
    const url = 'http://defectdojo.tributary-hostile.invalid';
    const r = await fetchWith({ url });
    expect(r.applied).toBeNull();
    expect(r.message).toBe(`DefectDojo at ${url}/ could not be reached: the host name does not resolve`);
  });

  it('a timeout', async () => {
    const silent = await silentServer();
    const r = await fetchWith({ url: silent.url, http: { timeoutMs: 150 } });
    expect(r.applied).toBeNull();
    expect(r.message).toBe(`DefectDojo at ${silent.url}/ could not be reached: no answer within 150 ms (5 attempts)`);
    expect(silent.requests()).toBe(5);
  });

  it('a body that stalls mid-way', async () => {
    dojo.failNext(5, { status: 200, stall: true, pathIncludes: '/findings/', body: JSON.stringify({ count: 3, next: null, results: [{ id: 1, title: 'A' }] }) });
    const r = await fetchWith({ http: { timeoutMs: 150 } });
    expect(r.applied).toBeNull();
    expect(r.message).toBe('DefectDojo: the response was cut short: timed out after 150 ms (5 attempts)');
    expect(r.requests).toBe(5);
  });

  it('a 200 MB body, in bounded memory', async () => {
    const huge = await hugeBodyServer();
    const { outcome: r, growth } = await peakMemoryDuring(() => fetchWith({ url: huge.url, http: { maxBodyBytes: CAP, timeoutMs: 20_000 } }));
    expect(r.applied).toBeNull();
    expect(r.message).toBe(`DefectDojo sent a response larger than ${CAP} bytes`);
    await expect.poll(() => huge.state.closed).toBe(true);
    expect(huge.state.sent).toBeLessThan(CAP + 16 * MB);
    expect(growth).toBeLessThan(50 * MB);
  });

  it('malformed JSON', async () => {
    dojo.failNext(1, { status: 200, pathIncludes: '/findings/', body: '{"count": 3, "next": null, "results": [{"id": 1, "title": "A' });
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    expect(r.message).toMatch(/^DefectDojo answered HTTP 200 with application\/json, not JSON: \{"count": 3, "next": null, "results": \[\{"id": 1, "title": "A \(http/);
  });

  it('an HTML error page with status 200', async () => {
    dojo.failNext(1, { status: 200, pathIncludes: '/findings/', contentType: 'text/html; charset=utf-8', body: HTML_PAGE });
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    expect(r.message).toMatch(/^DefectDojo answered HTTP 200 with text\/html; charset=utf-8, not JSON: an HTML page \(http/);
  });

  it('pagination that loops', async () => {
    dojo.setPageSizeCap(1);
    dojo.setLoopingPagination(true);
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    // every next link points at offset 0: the first repeated row stops it, before the repeated page
    expect(r.message).toMatch(/^DefectDojo listed findings \d+ twice while paging: the pagination loops or the list changed; try again$/);
  });

  it('pagination that jumps to another host, which never gets a request', async () => {
    dojo.setPageSizeCap(1);
    dojo.setNextLinkOrigin!(elsewhere.url);
    const r = await fetchWith();
    expect(r.applied).toBeNull();
    expect(r.message).toBe(`DefectDojo: the next-page link points at ${elsewhere.url}, not ${dojo.url}; refusing to send the token there`);
    expect(elsewhere.requests).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a sync through the app against a hostile vendor closes nothing', () => {
  let t: DiscoverApp;
  let dojo: DefectDojoFake;
  let elsewhere: HttpFake;
  let connectorId: string;
  beforeAll(async () => {
    [t, dojo, elsewhere] = await Promise.all([startDiscoverApp(), startDefectDojoFake(), startHttpFake(() => ({ body: { count: 3, next: null, results: [] } }), { pageSizeCap: 100 })]);
    dojo.setProjects([{ key: '1', name: 'shop' }]);
    dojo.setFindings('1', findingsOf(['a', 'b', 'c']));
    connectorId = (await createConnector(t, dojo, { name: 'Hostile DefectDojo' })).id;
    await discover(t, connectorId);
    const [record] = await records(t, connectorId);
    await t.ok(MAP_RECORD, { i: { recordId: record!.id, productName: 'Shop' } });
    const first = await runOperation(t, connectorId, 'Sync');
    expect([first.status, first.stats.findingsNew]).toEqual(['SUCCEEDED', 3]);
    // from here on the tool no longer lists "c": a complete fetch would close it, a failed one must not
    dojo.setFindings('1', findingsOf(['a', 'b']));
  });
  afterAll(async () => { await dojo?.close(); await elsewhere?.close(); await t?.stop(); });
  afterEach(() => { dojo.setPageSizeCap(1000); dojo.setNextLinkOrigin!(null); });

  const findings = () => t.sql<{ title: string; active: boolean }>('SELECT title, active FROM "Finding" ORDER BY title');
  const imports = async () => (await t.sql<{ n: number }>('SELECT count(*)::int n FROM "TestImport"'))[0]!.n;

  it.each([
    ['500s past every retry (Retry-After 0 keeps them instant)', () => dojo.failNext(5, { status: 500, retryAfter: 0, pathIncludes: '/findings/', body: '{"detail":"A server error occurred."}' }),
      /^shop: 500 from DefectDojo: \{"detail":"A server error occurred\."\} \(http:\/\/127\.0\.0\.1:\d+\/api\/v2\/findings\/\?/],
    ['an HTML page with status 200', () => dojo.failNext(1, { status: 200, pathIncludes: '/findings/', contentType: 'text/html', body: HTML_PAGE }),
      /^shop: DefectDojo answered HTTP 200 with text\/html, not JSON: an HTML page/],
    ['a next page on another host, after the first page was read', () => { dojo.setPageSizeCap(1); dojo.setNextLinkOrigin!(elsewhere.url); },
      /^shop: DefectDojo: the next-page link points at http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:\d+; refusing to send the token there$/],
  ])('%s: the sync fails naming it, and every finding stays active', async (_name, arm, cause) => {
    const importsBefore = await imports();
    arm();
    const op = await runOperation(t, connectorId, 'Sync');
    expect(op.status).toBe('FAILED');
    expect(op.error).toMatch(cause);
    expect(op.error).not.toContain(dojo.token);
    expect(await findings()).toEqual([{ title: 'Finding a', active: true }, { title: 'Finding b', active: true }, { title: 'Finding c', active: true }]);
    expect(await imports()).toBe(importsBefore);
    expect(elsewhere.requests).toEqual([]);
  });

  it('once the vendor behaves, the next sync closes what it no longer lists', async () => {
    const op = await runOperation(t, connectorId, 'Sync');
    expect([op.status, op.stats.findingsClosed, op.stats.findingsUntouched]).toEqual(['SUCCEEDED', 1, 2]);
    expect(await findings()).toEqual([{ title: 'Finding a', active: true }, { title: 'Finding b', active: true }, { title: 'Finding c', active: false }]);
  });
});
