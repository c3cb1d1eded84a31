// The findings list with its test → engagement → product runs a fixed, small number of SQL
// statements, whatever the page size: an N+1 would fail this.
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const statements: string[] = [];
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ role: 'api', onQuery: (sql) => statements.push(sql) });
  admin = await t.login();
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  // 3 products × 2 engagements × 2 tests × 30 findings = 360 findings
  await c.query(`INSERT INTO "Product" (name, "updatedAt") SELECT 'p' || g, now() FROM generate_series(1, 3) g`);
  await c.query(`INSERT INTO "Engagement" ("productId", name, "updatedAt") SELECT p.id, 'e' || g, now() FROM "Product" p, generate_series(1, 2) g`);
  await c.query(`INSERT INTO "Test" ("engagementId", title, "updatedAt") SELECT e.id, 't' || g, now() FROM "Engagement" e, generate_series(1, 2) g`);
  await c.query(`INSERT INTO "Finding" ("testId", title, severity) SELECT t.id, 'f' || g, 'HIGH' FROM "Test" t, generate_series(1, 30) g`);
  await c.end();
});
afterAll(async () => { await t?.stop(); });

const QUERY = `query($n: Int!) { findings(first: $n) { totalCount nodes { id title severity test { title engagement { name product { name } } } } } }`;

async function statementsFor(n: number): Promise<number> {
  statements.length = 0;
  const r = await t.gql(QUERY, { n }, admin);
  expect(r.errors).toBeUndefined();
  expect(r.data.findings.nodes).toHaveLength(n);
  expect(r.data.findings.nodes[0].test.engagement.product.name).toMatch(/^p\d$/);
  return statements.filter((s) => !/^(BEGIN|COMMIT)/i.test(s.trim())).length;
}

it('a page of 50 findings with test → engagement → product is a fixed handful of statements', async () => {
  await statementsFor(5); // warm-up: the viewer's session lookup is the same every time
  const for50 = await statementsFor(50);
  const for5 = await statementsFor(5);
  const for100 = await statementsFor(100); // the largest page the API serves
  // session + viewer (2), findings page with its relations, and the count
  expect(for50).toBeLessThanOrEqual(8);
  expect(for5).toBe(for50);
  expect(for100).toBe(for50);
});

it('a list of products with their finding counts costs the same for 1 product as for 3', async () => {
  const query = 'query($n: Int!) { products(first: $n) { nodes { name findings(filter: { active: true }) { totalCount } } } }';
  const run = async (n: number) => {
    statements.length = 0;
    const r = await t.gql(query, { n }, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data.products.nodes.map((p: any) => p.findings.totalCount)).toEqual(Array(n).fill(120));
    return statements.filter((s) => !/^(BEGIN|COMMIT)/i.test(s.trim())).length;
  };
  await run(1);
  expect(await run(3)).toBe(await run(1));
});
