// DefectDojo's role table (research/defectdojo.md §2d) enforced on the product hierarchy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: string;
const tokens: Record<string, string> = {};
let productId: string, otherProductId: string, engagementId: string, testId: string, findingId: string;
const userIds: Record<string, string> = {};

async function ok<T = any>(query: string, vars: Record<string, unknown>, token: string): Promise<T> {
  const r = await t.gql<T>(query, vars, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!;
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();
  productId = (await ok('mutation { createProduct(input: { name: "Shop", description: "web shop" }) { product { id } } }', {}, admin)).createProduct.product.id;
  otherProductId = (await ok('mutation { createProduct(input: { name: "Secret" }) { product { id } } }', {}, admin)).createProduct.product.id;
  engagementId = (await ok('mutation($p: ID!) { createEngagement(input: { productId: $p, name: "Q3 pentest" }) { engagement { id } } }', { p: productId }, admin)).createEngagement.engagement.id;
  testId = (await ok('mutation($e: ID!) { createTest(input: { engagementId: $e, title: "Burp" }) { test { id } } }', { e: engagementId }, admin)).createTest.test.id;
  findingId = (await ok('mutation($t: ID!) { createFinding(input: { testId: $t, title: "XSS", severity: HIGH }) { finding { id } } }', { t: testId }, admin)).createFinding.finding.id;
  for (const role of ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER', 'NONE']) {
    const email = `${role.toLowerCase()}@example.com`;
    const u = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { email, name: role, password: 'long enough password' } }, admin);
    userIds[role] = u.createUser.user.id;
    if (role !== 'NONE') await ok('mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { role } } }', { i: { productId, userId: u.createUser.user.id, role } }, admin);
    tokens[role] = await t.login(email, 'long enough password');
  }
  userIds.TARGET = (await ok('mutation { createUser(input: { email: "target@example.com", password: "long enough password" }) { user { id } } }', {}, admin)).createUser.user.id;
});
afterAll(async () => { await t?.stop(); });

const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code ?? 'OK';

describe('visibility', () => {
  it('a non-member sees no product, finding or node', async () => {
    const r = await ok('{ products(first: 10) { totalCount } findings(first: 10) { totalCount } }', {}, tokens.NONE!);
    expect(r).toEqual({ products: { totalCount: 0 }, findings: { totalCount: 0 } });
    for (const id of [productId, engagementId, testId, findingId]) {
      expect((await ok('query($id: ID!) { node(id: $id) { id } }', { id }, tokens.NONE!)).node).toBeNull();
    }
  });

  it('a member sees only their product', async () => {
    const r = await ok('{ products(first: 10) { totalCount nodes { name findings { totalCount } } } }', {}, tokens.READER!);
    expect(r.products).toEqual({ totalCount: 1, nodes: [{ name: 'Shop', findings: { totalCount: 1 } }] });
    expect((await ok('query($id: ID!) { node(id: $id) { id } }', { id: otherProductId }, tokens.READER!)).node).toBeNull();
  });
});

describe('permissions per role', () => {
  // [operation, expected code per role READER, API_IMPORTER, WRITER, MAINTAINER, OWNER, NONE]
  const cases: Array<[string, (tok: string) => Promise<{ errors?: any }>, string[]]> = [
    ['add a note', (tok) => t.gql('mutation($f: ID!) { addFindingNote(input: { findingId: $f, text: "seen" }) { finding { id } } }', { f: findingId }, tok),
      ['OK', 'FORBIDDEN', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['edit a finding', (tok) => t.gql('mutation($f: ID!) { updateFinding(input: { id: $f, verified: true }) { finding { id } } }', { f: findingId }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['add an engagement', (tok) => t.gql('mutation($p: ID!, $n: String!) { createEngagement(input: { productId: $p, name: $n }) { engagement { id } } }', { p: productId, n: `e-${Math.random()}` }, tok),
      ['FORBIDDEN', 'OK', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['edit the product', (tok) => t.gql('mutation($p: ID!) { updateProduct(input: { id: $p, description: "edited" }) { product { id } } }', { p: productId }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'NOT_FOUND']],
    ['add a member', (tok) => t.gql('mutation($p: ID!, $u: ID!) { addProductMember(input: { productId: $p, userId: $u, role: READER }) { member { role } } }', { p: productId, u: userIds.TARGET }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'NOT_FOUND']],
    ['create a product', (tok) => t.gql('mutation($n: String!) { createProduct(input: { name: $n }) { product { id } } }', { n: `p-${Math.random()}` }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']],
  ];
  const roles = ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER', 'NONE'];
  for (const [what, run, expected] of cases) {
    it(`may ${what}: ${roles.map((r, i) => `${r}=${expected[i]}`).join(' ')}`, async () => {
      const got = [];
      for (const role of roles) got.push(code(await run(tokens[role]!)));
      expect(got).toEqual(expected);
    });
  }

  it('only an owner deletes the product, and a maintainer cannot add owners', async () => {
    expect(code(await t.gql('mutation($p: ID!, $u: ID!) { addProductMember(input: { productId: $p, userId: $u, role: OWNER }) { member { role } } }', { p: productId, u: userIds.NONE }, tokens.MAINTAINER!))).toBe('FORBIDDEN');
    expect(code(await t.gql('mutation($p: ID!) { deleteProduct(input: { id: $p }) { deletedId } }', { p: productId }, tokens.MAINTAINER!))).toBe('FORBIDDEN');
    expect(code(await t.gql('mutation($p: ID!) { deleteProduct(input: { id: $p }) { deletedId } }', { p: productId }, tokens.OWNER!))).toBe('OK');
  });

  it('connector management needs a superuser or a global maintainer', async () => {
    const r = await t.gql('mutation { createConnector(input: { name: "s", kind: "sarif-directory", options: { path: "/tmp" } }) { connector { id } } }', {}, tokens.OWNER!);
    expect(code(r)).toBe('FORBIDDEN');
  });
});
