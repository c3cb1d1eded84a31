// The abuse suite, in the style of graphql-cop: each attack is refused, on HTTP and on the websocket
// alike — alias overloading, batching, field duplication, directive overloading, circular
// introspection, a cost-limited cyclic query, GET and form-encoded mutations, foreign Origins — plus
// the transport rules (CORS, body size, /metrics, dashboard headers) and inputs that once ended as
// "Unexpected error".
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_CONNECTOR, CREATE_ENGAGEMENT, CREATE_PRODUCT, CREATE_TEST, DELETE_PRODUCT } from '../support/documents.ts';
import { codes, firstError, gid } from '../support/graphql.ts';
import { subscribe } from '../support/processes.ts';

let t: TestApp;
let admin: string;
let testId: string;
const FOREIGN = 'https://evil.example';
const ALLOWED = 'https://dashboard.example';
const METRICS_TOKEN = 'metrics-token-for-tests';

beforeAll(async () => {
  t = await startTestApp({ role: 'api', env: { TRIBUTARY_ALLOWED_ORIGINS: ALLOWED, TRIBUTARY_METRICS_TOKEN: METRICS_TOKEN } });
  admin = await t.login();
  const p = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product;
  const e = (await t.ok(CREATE_ENGAGEMENT, { i: { productId: p.id, name: 'E' } }, admin)).createEngagement.engagement;
  testId = (await t.ok(CREATE_TEST, { i: { engagementId: e.id, title: 'T' } }, admin)).createTest.test.id;
});

afterAll(async () => { await t.stop(); });

/** a query over the websocket: its errors (the protocol's `error` message or GraphQL errors) */
async function overWs(query: string, variables: Record<string, unknown> = {}, token: string | null = admin) {
  const s = subscribe(t.url, token, query, variables);
  await s.completed;
  await s.dispose();
  return { data: s.events[0] as any, errors: s.errors };
}

describe('query limits on HTTP and websocket', () => {
  const cyclic = (n: number) => `query($t: ID!) { node(id: $t) { ... on Test { findings(first: ${n}) { nodes { test { findings(first: ${n}) { nodes { test { findings(first: ${n}) { nodes { id } } } } } } } } } } }`;
  const attacks: Array<[string, string, string]> = [
    ['alias overloading', `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`, 'alias'],
    ['field duplication', `{ viewer { ${'email '.repeat(50)} } }`, 'selected more than'],
    ['directive overloading', `{ viewer { email ${'@include(if: true) '.repeat(60)} } }`, 'directive'],
    ['circular introspection', '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }', 'circular introspection'],
    ['a deep query', `{ viewer { ${'memberships: __typename '.slice(0, 0)}id } ${'a: node(id: "x") { ... on Test { engagement { product { engagements { nodes { tests { nodes { engagement { product { engagements { nodes { tests { nodes { id } } } } } } } } } } } } } }'} }`, 'depth'],
  ];
  for (const [name, query, message] of attacks) {
    it(`refuses ${name} over HTTP and websocket`, async () => {
      const http = await t.gql(query, {}, admin);
      expect(http.data ?? null, name).toBeNull();
      expect(http.errors?.map((e) => e.message).join(' '), name).toMatch(new RegExp(message, 'i'));
      const ws = await overWs(query);
      expect(ws.data ?? null).toBeNull();
      expect(ws.errors.map((e) => e.message).join(' ')).toMatch(new RegExp(message, 'i'));
    });
  }

  it('refuses a cyclic Test.findings → test → findings query by its cost, on both transports, and still answers a normal page', async () => {
    const http = await t.gql(cyclic(60), { t: testId }, admin);
    expect(http.data ?? null).toBeNull();
    expect(codes(http)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(firstError(http).message).toMatch(/asks for up to \d+ objects; the limit is 10000/);
    const ws = await overWs(cyclic(100), { t: testId });
    expect(codes(ws)).toEqual(['QUERY_TOO_COMPLEX']);
    // the dashboard's heaviest page stays well inside
    const page = await t.gql('{ findings(first: 100) { totalCount nodes { id test { engagement { product { name } } } } } }', {}, admin);
    expect(page.errors).toBeUndefined();
  });

  it('refuses a subscription over the cost limit before it starts', async () => {
    const deep = 'subscription { operationChanged { connector { operations(first: 100) { nodes { connector { records(first: 100) { nodes { id } } } } } } } }';
    const ws = await overWs(deep);
    expect(codes(ws)).toContain('QUERY_TOO_COMPLEX');
  });

  it('refuses batched requests (a JSON array of operations)', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(Array.from({ length: 10 }, () => ({ query: '{ viewer { id } }' }))),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await res.json())).not.toContain('"viewer"');
  });
});

describe('anonymous callers learn nothing of the schema', () => {
  it('refuses introspection without a login, allows it with one', async () => {
    const anon = await t.gql('{ __schema { types { name } } }');
    expect(anon.data ?? null).toBeNull();
    expect(firstError(anon).message).toMatch(/introspection/i);
    const wsAnon = await overWs('{ __type(name: "Connector") { fields { name } } }', {}, null);
    expect(wsAnon.errors.map((e) => e.message).join(' ')).toMatch(/introspection/i);
    const logged = await t.gql('{ __schema { types { name } } }', {}, admin);
    expect(logged.data.__schema.types.length).toBeGreaterThan(20);
  });

  it('gives no "Did you mean" hints without a login', async () => {
    const anon = await t.gql('{ viewr { id } }');
    expect(firstError(anon).message).toContain('Cannot query field "viewr"');
    expect(firstError(anon).message).not.toMatch(/did you mean/i);
    const logged = await t.gql('{ viewr { id } }', {}, admin);
    expect(firstError(logged).message).toMatch(/did you mean "viewer"/i);
  });
});

describe('CSRF and CORS', () => {
  const mutation = 'mutation { createProduct(input: { name: "Planted" }) { product { id } } }';
  const cookie = () => `tributary_session=${admin}`;
  const planted = async () => (await t.gql('{ products(search: "Planted") { totalCount } }', {}, admin)).data.products.totalCount;

  it('does not run mutations sent form-encoded, multipart or as text/plain with only the cookie', async () => {
    const form = new URLSearchParams({ query: mutation });
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: mutation }));
    multipart.set('map', '{}');
    for (const [type, body] of [['application/x-www-form-urlencoded', form.toString()], [undefined, multipart], ['text/plain', JSON.stringify({ query: mutation })]] as const) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { cookie: cookie(), ...(type ? { 'content-type': type } : {}) }, body });
      expect(res.status, String(type)).toBe(415);
    }
    expect(await planted()).toBe(0);
  });

  it('does not run a mutation sent by GET', async () => {
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent(mutation)}`, { headers: { cookie: cookie(), accept: 'application/json' } });
    expect(res.status).toBe(405);
    expect(await planted()).toBe(0);
  });

  it('refuses a foreign Origin, and reflects no CORS headers for it', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { cookie: cookie(), origin: FOREIGN, 'content-type': 'application/json' }, body: JSON.stringify({ query: mutation }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await planted()).toBe(0);
  });

  it('serves an allowed origin and the same origin', async () => {
    const preflight = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    for (const origin of [ALLOWED, t.url]) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { cookie: cookie(), origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { email } }' }) });
      expect((await res.json()).data.viewer.email, origin).toBe('admin@example.com');
    }
  });

  it('refuses the websocket upgrade from a foreign Origin, accepts the same origin', async () => {
    const open = (origin: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: { cookie: cookie() }, origin });
      ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.on('open', () => { resolve(101); ws.close(); });
      ws.on('error', () => {});
    });
    expect(await open(FOREIGN)).toBe(403);
    expect(await open(t.url)).toBe(101);
    expect(await open(ALLOWED)).toBe(101);
  });
});

describe('transport limits and headers', () => {
  it('refuses a body over 1 MiB before parsing it, and a POST without a length', async () => {
    const big = JSON.stringify({ query: '{ viewer { id } }', variables: { pad: 'x'.repeat(5 << 20) } });
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: big });
    expect(res.status).toBe(413);
    const chunked = await fetch(`${t.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"query":"{ viewer { id } }"}')); c.close(); } }),
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('answers /metrics only with its bearer token', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('process_cpu');
  });

  it('sends CSP, no-framing and nosniff with the dashboard', async () => {
    const res = await fetch(`${t.url}/products/1`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'|frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a path with broken percent-encoding with 400, not 500', async () => {
    const res = await fetch(`${t.url}/products/%E0%A4%A`);
    expect(res.status).toBe(400);
  });
});

describe('inputs that used to end as "Unexpected error"', () => {
  it('refuses a NUL character in a literal, a variable and a JSON value, naming where, and writes nothing', async () => {
    const literal = await t.gql('mutation { createProduct(input: { name: "a\\u0000b" }) { product { id } } }', {}, admin);
    expect(codes(literal)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(literal).message).toMatch(/argument "input".*NUL/);
    const variable = await t.gql(CREATE_PRODUCT, { i: { name: 'ok', description: 'a\u0000b' } }, admin);
    expect(codes(variable)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(variable).message).toContain('$i.description');
    const json = await t.gql(CREATE_CONNECTOR,
      { i: { name: 'n', kind: 'github', url: 'https://api.github.com', secret: 's', options: { organization: 'a\u0000' } } }, admin);
    expect(codes(json)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(json).message).toContain('$i.options.organization');
    const products = await t.gql('{ products { totalCount } }', {}, admin);
    expect(products.data.products.totalCount).toBe(1);
  });

  it('answers an id past 2³¹−1 as a bad id, in node(id:) and in an argument', async () => {
    const node = await t.gql('query($id: ID!) { node(id: $id) { id } }', { id: gid('Product', 2 ** 31) }, admin);
    expect(codes(node)).toEqual(['BAD_USER_INPUT']);
    const nodes = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [gid('Finding', '99999999999999999999')] }, admin);
    expect(codes(nodes)).toEqual(['BAD_USER_INPUT']);
    const arg = await t.gql(DELETE_PRODUCT, { id: gid('Product', 2 ** 31) }, admin);
    expect(codes(arg)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(arg).message).toContain('id:');
  });

  it('answers a cursor of another type (or garbage) in after: as a bad cursor', async () => {
    const products = await t.gql('{ products(first: 1) { pageInfo { endCursor } } }', {}, admin);
    for (const after of [gid('Product', 1), 'garbage', products.data.products.pageInfo.endCursor.slice(0, -2)]) {
      const r = await t.gql('query($a: String) { findings(first: 5, after: $a) { totalCount } }', { a: after }, admin);
      expect(codes(r), after).toEqual(['BAD_USER_INPUT']);
      expect(firstError(r).message, after).toMatch(/after/);
    }
  });
});
