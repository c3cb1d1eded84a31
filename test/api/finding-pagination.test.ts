// Findings connections read by keyset and counted from per-test counters (finding-filter.ts): paging
// forward or backward through the root, Product, Engagement and Test connections returns every
// visible finding exactly once, in (severity, id) order, for a superuser and for a product member;
// totalCount equals count(*) after every kind of write the API offers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_FINDING } from '../support/documents.ts';
import { gid, rowId } from '../support/graphql.ts';

let t: TestApp;
let admin: string;
let reader: string;
/** P1: two engagements of two tests each; P2: one test (the reader is a member of P1 only) */
let p1: number;
let p2: number;
let e1: number;
let tests: number[];

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const PAGE = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id }';
const ROOT = `query($f: FindingFilter, $first: Int, $after: String, $last: Int, $before: String) {
  c: findings(first: $first, after: $after, last: $last, before: $before, filter: $f) { ${PAGE} } }`;
const under = (type: string) => `query($id: ID!, $f: FindingFilter, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on ${type} { c: findings(first: $first, after: $after, last: $last, before: $before, filter: $f) { ${PAGE} } } } }`;

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();
  [{ id: p1 }, { id: p2 }] = await t.sql(`INSERT INTO "Product" (name, "updatedAt") VALUES ('P1', now()), ('P2', now()) RETURNING id`);
  const engagements = await t.sql(`INSERT INTO "Engagement" ("productId", name, "updatedAt") VALUES ($1, 'E1', now()), ($1, 'E2', now()), ($2, 'E3', now()) RETURNING id`, [p1, p2]);
  e1 = engagements[0].id;
  tests = (await t.sql(`INSERT INTO "Test" ("engagementId", title, "updatedAt")
    SELECT e, 'test ' || e || '-' || g, now() FROM unnest($1::int[]) e, generate_series(1, 2) g ORDER BY 1, 2 RETURNING id`,
  [engagements.map((e) => e.id)])).map((r) => r.id).sort((a, b) => a - b);
  // 40 findings per test, severities and status spread so every filter and page boundary is exercised
  await t.sql(`INSERT INTO "Finding" ("testId", title, severity, active)
    SELECT t, 'f ' || t || '-' || g, (ARRAY['CRITICAL','HIGH','MEDIUM','LOW','INFO'])[1 + (g * 7 + t) % 5]::"Severity", (g + t) % 3 <> 0
      FROM unnest($1::int[]) t, generate_series(1, 40) g ORDER BY random()`, [tests]);
  const user = await t.gql(`mutation { createUser(input: { email: "reader@example.com", name: "Reader", password: "correct horse battery staple" }) { user { id } } }`, {}, admin);
  await t.ok('mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { id } } }',
    { i: { productId: gid('Product', p1), userId: user.data.createUser.user.id, role: 'READER' } }, admin);
  reader = await t.login('reader@example.com', 'correct horse battery staple');
});
afterAll(async () => { await t?.stop(); });

interface Filter { productId?: number; testId?: number; active?: boolean; severities?: string[] }
interface Scope { type: 'Product' | 'Engagement' | 'Test'; id: number }

/** the ids the connection must return, in order, straight from SQL */
async function expected(filter: Filter, scope: Scope | null, products: number[]): Promise<number[]> {
  const rows = await t.sql(`
    SELECT f.id FROM "Finding" f JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId"
     WHERE e."productId" = ANY($1::int[])
       AND ($2::int IS NULL OR e."productId" = $2) AND ($3::int IS NULL OR t.id = $3) AND ($4::boolean IS NULL OR f.active = $4)
       AND ($5::text[] IS NULL OR f.severity::text = ANY($5::text[]))
       AND ($6::int IS NULL OR e."productId" = $6) AND ($7::int IS NULL OR e.id = $7) AND ($8::int IS NULL OR t.id = $8)
     ORDER BY f.severity, f.id`,
  [products, filter.productId ?? null, filter.testId ?? null, filter.active ?? null, filter.severities ?? null,
    scope?.type === 'Product' ? scope.id : null, scope?.type === 'Engagement' ? scope.id : null, scope?.type === 'Test' ? scope.id : null]);
  return rows.map((r) => r.id);
}

const asInput = (f: Filter) => ({
  ...f, productId: f.productId && gid('Product', f.productId), testId: f.testId && gid('Test', f.testId),
});

async function page(token: string, filter: Filter, scope: Scope | null, args: Record<string, unknown>) {
  const r = scope
    ? await t.gql(under(scope.type), { id: gid(scope.type, scope.id), f: asInput(filter), ...args }, token)
    : await t.gql(ROOT, { f: asInput(filter), ...args }, token);
  expect(r.errors).toBeUndefined();
  return scope ? r.data.node?.c : r.data.c;
}

/** every page forward, then every page backward from the end */
async function walk(token: string, filter: Filter, scope: Scope | null, size: number) {
  const forward: number[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const c = await page(token, filter, scope, { first: size, after });
    if (!c) return null;
    totals.add(c.totalCount);
    forward.push(...c.nodes.map((n: { id: string }) => rowId(n.id)));
    expect(c.nodes.length).toBeLessThanOrEqual(size);
    if (!c.pageInfo.hasNextPage) break;
    expect(c.nodes).toHaveLength(size);
    after = c.pageInfo.endCursor;
  }
  const backward: number[] = [];
  let before: string | null = null;
  for (let i = 0; i < 100; i++) {
    const c = await page(token, filter, scope, { last: size, before });
    backward.unshift(...c.nodes.map((n: { id: string }) => rowId(n.id)));
    if (!c.pageInfo.hasPreviousPage) break;
    before = c.pageInfo.startCursor;
  }
  return { forward, backward, totals: [...totals] };
}

const FILTERS: Filter[] = [{}, { active: true }, { active: false, severities: ['CRITICAL', 'HIGH'] }, { severities: ['INFO'] }];

describe('paging findings by keyset', () => {
  it('returns every finding exactly once, in order, forward and backward, from each connection', async () => {
    const scopes: Array<Scope | null> = [null, { type: 'Product', id: p1 }, { type: 'Engagement', id: e1 }, { type: 'Test', id: tests[2]! }];
    for (const scope of scopes) {
      const filters = scope ? FILTERS.slice(0, 3) : [...FILTERS, { testId: tests[1]! }, { productId: p2, active: true }];
      for (const filter of filters) {
        for (const [who, token, products] of [['superuser', admin, [p1, p2]], ['reader', reader, [p1]]] as const) {
          const want = await expected(filter, scope, [...products]);
          const got = await walk(token, filter, scope, 13);
          const label = `${who} ${scope?.type ?? 'root'} ${JSON.stringify(filter)}`;
          expect(got?.forward, label).toEqual(want);
          expect(got?.backward, label).toEqual(want);
          expect(got?.totals, label).toEqual([want.length]);
        }
      }
    }
  }, 180_000);

  it('answers a filter with one page of up to 100 exactly like the SQL', async () => {
    const c = await page(admin, {}, null, { first: 100 });
    expect(c.nodes.map((n: { id: string }) => rowId(n.id))).toEqual((await expected({}, null, [p1, p2])).slice(0, 100));
    expect(c.totalCount).toBe(240);
  });

  it('continues after a cursor whose finding no longer matches the filter, skipping nothing', async () => {
    const want = await expected({ active: true }, null, [p1, p2]);
    const first = await page(admin, { active: true }, null, { first: 10 });
    expect(first.nodes.map((n: { id: string }) => rowId(n.id))).toEqual(want.slice(0, 10));
    // the page's last finding is closed before the next page is asked for
    await t.sql(`UPDATE "Finding" SET active = false, "falsePositive" = true WHERE id = $1`, [want[9]]);
    try {
      const next = await page(admin, { active: true }, null, { first: 10, after: first.pageInfo.endCursor });
      expect(next.nodes.map((n: { id: string }) => rowId(n.id))).toEqual(want.slice(10, 20));
    } finally {
      await t.sql(`UPDATE "Finding" SET active = true, "falsePositive" = false WHERE id = $1`, [want[9]]);
    }
  });

  it('shows a member nothing of a product they are not in, by filter or by parent', async () => {
    expect((await page(reader, { productId: p2 }, null, { first: 5 }))).toMatchObject({ totalCount: 0, nodes: [] });
    expect((await page(reader, { testId: tests[5]! }, null, { first: 5 }))).toMatchObject({ totalCount: 0, nodes: [] });
    expect(await page(reader, {}, { type: 'Product', id: p2 }, { first: 5 })).toBeUndefined();
    const products = await t.gql(`{ products(first: 10) { nodes { id findings(filter: { active: true }) { totalCount } } } }`, {}, reader);
    expect(products.data.products.nodes).toEqual([{ id: gid('Product', p1), findings: { totalCount: (await expected({ active: true }, null, [p1])).length } }]);
  });
});

describe('totalCount from the counters', () => {
  /** totalCount of each filter, for the root and each product, beside count(*) */
  async function expectCountsExact() {
    for (const filter of [...FILTERS, { productId: p1 }]) {
      const c = await page(admin, filter, null, { first: 1 });
      expect(c.totalCount, JSON.stringify(filter)).toBe((await expected(filter, null, [p1, p2])).length);
    }
    const products = await t.gql(`{ products(first: 10) { nodes { id
      all: findings { totalCount } open: findings(filter: { active: true }) { totalCount }
      ${SEVERITIES.map((s) => `${s.toLowerCase()}: findings(filter: { active: true, severities: [${s}] }) { totalCount }`).join(' ')} } } }`, {}, admin);
    expect(products.errors).toBeUndefined();
    for (const p of products.data.products.nodes) {
      const id = rowId(p.id);
      expect(p.all.totalCount).toBe((await expected({}, { type: 'Product', id }, [id])).length);
      expect(p.open.totalCount).toBe((await expected({ active: true }, { type: 'Product', id }, [id])).length);
      for (const s of SEVERITIES) expect(p[s.toLowerCase()].totalCount).toBe((await expected({ active: true, severities: [s] }, { type: 'Product', id }, [id])).length);
    }
  }

  it('stays exact through create, status edits, deletes and cascades', async () => {
    await expectCountsExact();
    const created = await t.ok(CREATE_FINDING, { i: { testId: gid('Test', tests[0]!), title: 'manual', severity: 'CRITICAL' } }, admin);
    const id = created.createFinding.finding.id;
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { updateFinding(input: { id: $id, falsePositive: true }) { finding { active } } }', { id }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { updateFinding(input: { id: $id, falsePositive: false, severity: LOW }) { finding { active } } }', { id }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { updateFinding(input: { id: $id, isMitigated: true }) { finding { active } } }', { id }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { deleteFinding(input: { id: $id }) { deletedId } }', { id }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { deleteTest(input: { id: $id }) { deletedId } }', { id: gid('Test', tests[0]!) }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { deleteEngagement(input: { id: $id }) { deletedId } }', { id: gid('Engagement', e1) }, admin);
    await expectCountsExact();
    await t.ok('mutation($id: ID!) { deleteProduct(input: { id: $id }) { deletedId } }', { id: gid('Product', p2) }, admin);
    await expectCountsExact();
    expect((await page(admin, {}, null, { first: 1 })).totalCount).toBe(80);
  });
});
