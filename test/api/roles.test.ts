// DefectDojo's role table (research/defectdojo.md §2d) enforced on the product hierarchy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ADD_PRODUCT_MEMBER, CREATE_CONNECTOR, CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER, DELETE_PRODUCT } from '../support/documents.ts';
import { firstError, type GqlResult } from '../support/graphql.ts';

let t: TestApp;
let admin: string;
const tokens: Record<string, string> = {};
let productId: string, otherProductId: string, engagementId: string, testId: string, findingId: string;
const userIds: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();
  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop', description: 'web shop' } }, admin)).createProduct.product.id;
  otherProductId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Secret' } }, admin)).createProduct.product.id;
  engagementId = (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Q3 pentest' } }, admin)).createEngagement.engagement.id;
  testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Burp' } }, admin)).createTest.test.id;
  findingId = (await t.ok(CREATE_FINDING, { i: { testId, title: 'XSS', severity: 'HIGH' } }, admin)).createFinding.finding.id;
  for (const role of ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER', 'NONE']) {
    const email = `${role.toLowerCase()}@example.com`;
    const u = await t.ok(CREATE_USER, { i: { email, name: role, password: 'long enough password' } }, admin);
    userIds[role] = u.createUser.user.id;
    if (role !== 'NONE') await t.ok(ADD_PRODUCT_MEMBER, { i: { productId, userId: u.createUser.user.id, role } }, admin);
    tokens[role] = await t.login(email, 'long enough password');
  }
  userIds.TARGET = (await t.ok(CREATE_USER, { i: { email: 'target@example.com', password: 'long enough password' } }, admin)).createUser.user.id;
});
afterAll(async () => { await t?.stop(); });

/** the first error's code, 'OK' for none */
const code = (r: GqlResult) => firstError(r).code ?? 'OK';

describe('visibility', () => {
  it('a non-member sees no product, finding or node', async () => {
    const r = await t.ok('{ products(first: 10) { totalCount } findings(first: 10) { totalCount } }', {}, tokens.NONE!);
    expect(r).toEqual({ products: { totalCount: 0 }, findings: { totalCount: 0 } });
    for (const id of [productId, engagementId, testId, findingId]) {
      expect((await t.ok('query($id: ID!) { node(id: $id) { id } }', { id }, tokens.NONE!)).node).toBeNull();
    }
  });

  it('a member sees only their product', async () => {
    const r = await t.ok('{ products(first: 10) { totalCount nodes { name findings { totalCount } } } }', {}, tokens.READER!);
    expect(r.products).toEqual({ totalCount: 1, nodes: [{ name: 'Shop', findings: { totalCount: 1 } }] });
    expect((await t.ok('query($id: ID!) { node(id: $id) { id } }', { id: otherProductId }, tokens.READER!)).node).toBeNull();
  });
});

const ADD_NOTE = /* GraphQL */ `
  mutation($f: ID!) {
    addFindingNote(input: { findingId: $f, text: "seen" }) { finding { id } }
  }`;
const VERIFY_FINDING = /* GraphQL */ `
  mutation($f: ID!) {
    updateFinding(input: { id: $f, verified: true }) { finding { id } }
  }`;
const EDIT_PRODUCT = /* GraphQL */ `
  mutation($p: ID!) {
    updateProduct(input: { id: $p, description: "edited" }) { product { id } }
  }`;

describe('permissions per role', () => {
  // [operation, expected code per role READER, API_IMPORTER, WRITER, MAINTAINER, OWNER, NONE]
  const cases: Array<[string, (tok: string) => Promise<GqlResult>, string[]]> = [
    ['add a note', (tok) => t.gql(ADD_NOTE, { f: findingId }, tok),
      ['OK', 'FORBIDDEN', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['edit a finding', (tok) => t.gql(VERIFY_FINDING, { f: findingId }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['add an engagement', (tok) => t.gql(CREATE_ENGAGEMENT, { i: { productId, name: `e-${Math.random()}` } }, tok),
      ['FORBIDDEN', 'OK', 'OK', 'OK', 'OK', 'NOT_FOUND']],
    ['edit the product', (tok) => t.gql(EDIT_PRODUCT, { p: productId }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'NOT_FOUND']],
    ['add a member', (tok) => t.gql(ADD_PRODUCT_MEMBER, { i: { productId, userId: userIds.TARGET, role: 'READER' } }, tok),
      ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK', 'OK', 'NOT_FOUND']],
    ['create a product', (tok) => t.gql(CREATE_PRODUCT, { i: { name: `p-${Math.random()}` } }, tok),
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
    expect(code(await t.gql(ADD_PRODUCT_MEMBER, { i: { productId, userId: userIds.NONE, role: 'OWNER' } }, tokens.MAINTAINER!))).toBe('FORBIDDEN');
    expect(code(await t.gql(DELETE_PRODUCT, { id: productId }, tokens.MAINTAINER!))).toBe('FORBIDDEN');
    expect(code(await t.gql(DELETE_PRODUCT, { id: productId }, tokens.OWNER!))).toBe('OK');
  });

  it('connector management needs a superuser or a global maintainer', async () => {
    const r = await t.gql(CREATE_CONNECTOR, { i: { name: 's', kind: 'sarif-directory', options: { path: '/tmp' } } }, tokens.OWNER!);
    expect(code(r)).toBe('FORBIDDEN');
  });
});
