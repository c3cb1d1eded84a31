import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GuardedHttp, isForbiddenAddress, joinUrl, nextLink, pageGuard } from '@tributary/server/connectors/http.ts';
import { startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from '../fakes/http-fake.ts';
import { connectorFailure } from '../support/kinds.ts';

const SECRET = 'tok_s3cr3t_value_42';
let server: HttpFake | undefined;
let other: HttpFake | undefined;
let raw: Server | undefined;
afterEach(async () => {
  await server?.close();
  await other?.close();
  server = undefined;
  other = undefined;
  if (raw) { raw.closeAllConnections(); await new Promise((r) => raw!.close(r)); raw = undefined; }
});

async function serve(handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>): Promise<HttpFake> {
  server = await startHttpFake(handle, { pageSizeCap: 100 });
  return server;
}

/** A second loopback server on another port: another origin than `serve`'s. */
async function serveOther(handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>): Promise<HttpFake> {
  other = await startHttpFake(handle, { pageSizeCap: 100 });
  return other;
}

const client = (over: Partial<ConstructorParameters<typeof GuardedHttp>[0]> = {}) =>
  new GuardedHttp({ service: 'Tool', secrets: [SECRET], backoffMs: 1, ...over });

describe('GuardedHttp', () => {
  describe('retries', () => {
    it('retries 429 and 5xx up to `retries` times, then succeeds', async () => {
      const s = await serve(() => ({ body: { ok: true } }));
      for (const status of [429, 500, 502, 503, 504]) s.failNext(1, { status });
      const { data } = await client({ retries: 5 }).json(`${s.url}/x`);
      expect(data).toEqual({ ok: true });
      expect(s.requests).toHaveLength(6);
    });

    it('gives up after 1 + retries attempts with the last status named', async () => {
      const s = await serve(() => ({ body: {} }));
      s.failNext(10, { status: 503, body: '{"message":"down for maintenance"}' });
      const err = await connectorFailure(client({ retries: 2 }).json(`${s.url}/x`));
      expect(err.message).toBe(`503 from Tool: {"message":"down for maintenance"} (${s.url}/x)`);
      expect(err.status).toBe(503);
      expect(s.requests).toHaveLength(3);
    });

    it.each([400, 401, 403, 404, 422])('does not retry %i', async (status) => {
      const s = await serve(() => ({ body: {} }));
      s.failNext(1, { status, body: '{"error":"no"}' });
      const err = await connectorFailure(client().json(`${s.url}/x`));
      expect(err.status).toBe(status);
      expect(s.requests).toHaveLength(1);
    });

    it('returns statuses the caller accepts instead of throwing', async () => {
      const s = await serve(() => ({ status: 404, body: { message: 'no analysis found' } }));
      const res = await client().request(`${s.url}/x`, { accept: [404] });
      expect([res.status, res.json()]).toEqual([404, { message: 'no analysis found' }]);
      expect(s.requests).toHaveLength(1);
    });

    it('honours Retry-After in seconds', async () => {
      const s = await serve(() => ({ body: { ok: 1 } }));
      s.failNext(1, { status: 429, retryAfter: 1 });
      const started = Date.now();
      await client().json(`${s.url}/x`);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(1000);
      expect(waited).toBeLessThan(2500);
    });

    it('honours Retry-After as an HTTP date', async () => {
      let calls = 0;
      const s = await serve(() => (++calls === 1 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() }, body: {} } : { body: { ok: 1 } }));
      const started = Date.now();
      await client().json(`${s.url}/x`);
      // the date has one-second resolution: between 1 and 2 s are left when it is read
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(s.requests).toHaveLength(2);
    });

    it('fails at once when Retry-After is longer than it will wait', async () => {
      const s = await serve(() => ({ body: {} }));
      s.failNext(1, { status: 429, retryAfter: 3600 });
      const started = Date.now();
      const err = await connectorFailure(client({ maxRetryAfterMs: 60_000 }).json(`${s.url}/x`));
      expect(err.message).toMatch(/^429 from Tool \(rate limited\)/);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(s.requests).toHaveLength(1);
    });
  });

  // issue 12, fix #10: GitHub's secondary (and primary) rate limits answer 403 as often as 429
  describe('rate limits answered with 403', () => {
    it('waits and retries a 403 that carries Retry-After, even when the caller accepts 403', async () => {
      let calls = 0;
      const s = await serve(() => (++calls === 1
        ? { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit.' } }
        : { body: { ok: 1 } }));
      const started = Date.now();
      const res = await client().request(`${s.url}/x`, { accept: [403, 404] });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(s.requests).toHaveLength(2);
    });

    it('waits until x-ratelimit-reset when x-ratelimit-remaining is 0 (403 or 429)', async () => {
      for (const status of [403, 429]) {
        let calls = 0;
        const reset = String(Math.ceil(Date.now() / 1000) + 1);
        const s = await serve(() => (++calls === 1
          ? { status, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, body: { message: 'API rate limit exceeded' } }
          : { body: { ok: 1 } }));
        const { data } = await client().json(`${s.url}/x`);
        expect(data).toEqual({ ok: 1 });
        expect(Date.now()).toBeGreaterThanOrEqual(Number(reset) * 1000);
        await server!.close();
        server = undefined;
      }
    });

    it('still fails at once on a 403 that is not a rate limit (a missing permission)', async () => {
      const s = await serve(() => ({ status: 403, headers: { 'x-ratelimit-remaining': '4999' }, body: { message: 'Resource not accessible by integration' } }));
      const err = await connectorFailure(client().json(`${s.url}/x`));
      expect(err.message).toMatch(/^403 from Tool \(the token lacks a permission\)/);
      expect(s.requests).toHaveLength(1);
    });
  });

  describe('timeouts and network errors', () => {
    it('names the per-attempt timeout when no answer comes', async () => {
      const s = await serve(() => new Promise<FakeReply>((r) => setTimeout(() => r({ body: {} }), 2000)));
      const err = await connectorFailure(client({ timeoutMs: 200 }).json(`${s.url}/slow`));
      expect(err.message).toBe(`Tool at ${s.url}/ could not be reached: no answer within 200 ms (5 attempts)`);
    });

    it('names a body that stalls half-way as cut short', async () => {
      raw = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"items":['); });
      await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/stall`;
      const err = await connectorFailure(client({ timeoutMs: 300 }).json(url));
      expect(err.message).toBe('Tool: the response was cut short: timed out after 300 ms (5 attempts)');
    });

    it('names a refused connection', async () => {
      const s = await serve(() => ({ body: {} }));
      const url = s.url;
      await s.close();
      server = undefined;
      const err = await connectorFailure(client().json(`${url}/x`));
      expect(err.message).toBe(`Tool at ${url}/ could not be reached: connection refused (5 attempts)`);
    });
  });

  describe('addresses and redirects', () => {
    it.each([
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://[::ffff:169.254.169.254]/latest/', '::ffff:a9fe:a9fe'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
      ['http://100.100.100.200/latest/meta-data/', '100.100.100.200'],
    ])('refuses %s without contacting it', async (url, host) => {
      const started = Date.now();
      const err = await connectorFailure(client({ timeoutMs: 30_000 }).json(url));
      expect(err.message).toBe(`Tool: ${host} is a link-local or cloud-metadata address and is never contacted`);
      // a connection attempt to a blackholed address would hang until the timeout
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('follows redirects, re-checking each hop', async () => {
      const s = await serve((req) => (req.url.pathname === '/old' ? { status: 301, headers: { location: '/new?x=1' }, body: '' } : { body: { at: req.url.pathname + req.url.search } }));
      const { data, response } = await client().json(`${s.url}/old`);
      expect(data).toEqual({ at: '/new?x=1' });
      expect(response.url).toBe(`${s.url}/new?x=1`);
      expect(s.requests.map((r) => r.url)).toEqual(['/old', '/new?x=1']);
    });

    it('refuses a redirect to the metadata address', async () => {
      const s = await serve(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' }, body: '' }));
      const err = await connectorFailure(client().json(`${s.url}/x`));
      expect(err.message).toBe('Tool: 169.254.169.254 is a link-local or cloud-metadata address and is never contacted');
      expect(s.requests).toHaveLength(1);
    });

    // How each kind sends its token (server/src/connectors/*.ts), plus GitLab's PRIVATE-TOKEN and a
    // header no list names, which only the secret-value test catches.
    it.each([
      ['GitHub / GitLab Bearer', { authorization: `Bearer ${SECRET}` }],
      ['Snyk token', { Authorization: `token ${SECRET}` }],
      ['SonarQube Basic', { authorization: `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}` }],
      ['Dependency-Track X-Api-Key', { 'X-Api-Key': SECRET }],
      ['GitLab PRIVATE-TOKEN', { 'PRIVATE-TOKEN': SECRET }],
      ['a custom header bearing the secret', { 'X-Vendor-Auth': `key=${SECRET}` }],
      ['the base64 secret in a custom header', { 'X-Vendor-Auth': Buffer.from(SECRET).toString('base64') }],
      ['Cookie and Proxy-Authorization', { cookie: 'session=abc123', 'proxy-authorization': 'Basic cHJveHk6cHc=' }],
    ])('drops the credential (%s) on a redirect to another origin', async (_shape, credentials: Record<string, string>) => {
      const b = await serveOther(() => ({ body: { ok: true } }));
      const a = await serve(() => ({ status: 302, headers: { location: `${b.url}/landing` }, body: '' }));
      const { data } = await client().json(`${a.url}/start`, { headers: { ...credentials, 'x-trace': 'kept' } });
      expect(data).toEqual({ ok: true });
      const sent = Object.fromEntries(Object.entries(credentials).map(([name, value]) => [name.toLowerCase(), value]));
      expect(a.requests[0]!.headers).toMatchObject(sent);
      const landed = b.requests[0]!.headers;
      for (const name of Object.keys(sent)) expect(landed).not.toHaveProperty(name);
      const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(`${SECRET}:`).toString('base64')];
      expect(Object.values(landed).filter((value) => forms.some((form) => value.includes(form)))).toEqual([]);
      expect([landed['x-trace'], landed.accept]).toEqual(['kept', 'application/json']);
    });

    it('keeps the token on a redirect within the origin', async () => {
      const s = await serve((req) => (req.url.pathname === '/old' ? { status: 307, headers: { location: '/new' }, body: '' } : { body: {} }));
      await client().json(`${s.url}/old`, { headers: { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET } });
      expect(s.requests.map((r) => [r.url, r.headers.authorization, r.headers['x-api-key']])).toEqual([
        ['/old', `Bearer ${SECRET}`, SECRET],
        ['/new', `Bearer ${SECRET}`, SECRET],
      ]);
    });

    it('does not restore the token when another origin redirects back', async () => {
      const a = await serve((req) => (req.url.pathname === '/start' ? { status: 302, headers: { location: `${other!.url}/bounce` }, body: '' } : { body: {} }));
      await serveOther(() => ({ status: 302, headers: { location: `${a.url}/chosen-by-other` }, body: '' }));
      await client().json(`${a.url}/start`, { headers: { authorization: `Bearer ${SECRET}` } });
      expect(a.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/start', `Bearer ${SECRET}`], ['/chosen-by-other', undefined]]);
    });

    it.each([
      [301, 'GET'], [302, 'GET'], [303, 'GET'], [307, 'POST'], [308, 'POST'],
    ])('a %i after POST continues with %s', async (status, method) => {
      const seen: Array<[string, string, string, string | undefined]> = [];
      const s = await serve((req) => {
        seen.push([req.method, req.url.pathname, req.body, req.headers['content-type']]);
        return req.url.pathname === '/submit' ? { status, headers: { location: '/result' }, body: '' } : { body: {} };
      });
      await client().json(`${s.url}/submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"q"}' });
      const kept = method === 'POST';
      expect(seen).toEqual([
        ['POST', '/submit', '{"query":"q"}', 'application/json'],
        [method, '/result', kept ? '{"query":"q"}' : '', kept ? 'application/json' : undefined],
      ]);
    });

    it('stops after maxRedirects hops', async () => {
      const s = await serve((req) => ({ status: 302, headers: { location: `/hop${Number(req.url.pathname.slice(4) || 0) + 1}` }, body: '' }));
      const err = await connectorFailure(client({ maxRedirects: 3 }).json(`${s.url}/hop0`));
      expect(err.message).toBe(`Tool: more than 3 redirects from ${s.url}/hop0`);
      expect(s.requests).toHaveLength(4);
    });
  });

  // Unit tests only: a URL test against these addresses would send traffic there if the guard broke.
  describe('isForbiddenAddress', () => {
    it.each([
      '169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '0.0.0.0', 'fe80::1',
      '168.63.129.16', // Azure wireserver
      '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b::a83f:8110', '64:ff9b::6464:64c8', // NAT64 of the metadata addresses
      '::ffff:0:a9fe:a9fe', // SIIT IPv4-translated
      '64:ff9b:1::1', '64:ff9b:1:a9fe:a9:fe00::', // local-use NAT64, IPv4 position unknown
    ])('refuses %s', (address) => {
      expect(isForbiddenAddress(address)).toBe(true);
    });

    it.each([
      '127.0.0.1', '::1', '10.0.0.5', '192.168.1.1', '172.16.0.10', // self-hosted tools live here on purpose
      '140.82.121.4', '64:ff9b::8c52:7904', // a public host, and the same through DNS64 on an IPv6-only network
      'gitlab.example.com',
    ])('allows %s', (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    });
  });

  describe('secrets and bodies', () => {
    it('redacts the secret, its URL-encoded and base64 forms from every error', async () => {
      const b64 = Buffer.from(`${SECRET}:`).toString('base64');
      const s = await serve(() => ({ status: 401, body: { message: `bad token ${SECRET} / ${b64} / ${encodeURIComponent(SECRET)}` } }));
      const err = await connectorFailure(client().json(`${s.url}/x?api_token=${SECRET}&page=2`));
      expect(err.message).toBe(`401 from Tool (the token was rejected): {"message":"bad token [redacted] / [redacted] / [redacted]"} (${s.url}/x?api_token=redacted&page=2)`);
    });

    it('caps the body size', async () => {
      const s = await serve(() => ({ body: { blob: 'x'.repeat(5000) } }));
      const err = await connectorFailure(client({ maxBodyBytes: 1000 }).json(`${s.url}/big`));
      expect(err.message).toBe('Tool sent a response larger than 1000 bytes');
    });

    it('names a non-JSON answer with its content type', async () => {
      const s = await serve(() => ({ headers: { 'content-type': 'text/html' }, body: '<html><body>Sign in</body></html>' }));
      const err = await connectorFailure(client().json(`${s.url}/x`));
      expect(err.message).toBe(`Tool answered HTTP 200 with text/html, not JSON: an HTML page (${s.url}/x)`);
    });
  });

  describe('pagination helpers', () => {
    it('pageGuard throws on a page seen before and past the page limit', () => {
      const http = client();
      const guard = pageGuard(http, 3);
      guard('https://x/a?page=1');
      guard('https://x/a?page=2');
      expect(() => guard('https://x/a?page=1')).toThrow('Tool: pagination loops back to a page already read (https://x/a?page=1)');
      guard('https://x/a?page=3');
      expect(() => guard('https://x/a?page=4')).toThrow('Tool: more than 3 pages; stopping');
    });

    it('nextLink reads rel="next" among other relations', () => {
      expect(nextLink('<https://api/x?page=1>; rel="prev", <https://api/x?page=3>; rel="next", <https://api/x?page=9>; rel="last"')).toBe('https://api/x?page=3');
      expect(nextLink('<https://api/x?page=9>; rel="last"')).toBeNull();
      expect(nextLink(null)).toBeNull();
    });

    it('joinUrl keeps a base path and drops empty query values', () => {
      expect(joinUrl('https://ghe.example.com/api/v3/', '/orgs/acme/repos', { per_page: 100, q: '', after: undefined })).toBe('https://ghe.example.com/api/v3/orgs/acme/repos?per_page=100');
    });
  });
});
