// What the dashboard's Admin and Home pages read and do: the user list with each user's product
// roles, a superuser changing a user (and never locking themselves out), taking a member off a
// product (Owners only by Owners), the viewer's own API tokens listed and revoked by id, and
// finding counts by severity and per day.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { codes, firstError, rowId } from '../support/graphql.ts';

let t: TestApp;
let admin: string;
let productId: string;
const PASSWORD = 'a long enough password';

const MEMBER = 'mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { role } } }';
const REMOVE = 'mutation($i: RemoveProductMemberInput!) { removeProductMember(input: $i) { ok } }';
const UPDATE_USER = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id name globalRole isActive isSuperuser } } }';

async function user(email: string, name = '') {
  const id = (await t.ok(CREATE_USER, { i: { email, name, password: PASSWORD } }, admin)).createUser.user.id as string;
  return { id, token: await t.login(email, PASSWORD) };
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login();
  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id;
});
afterAll(async () => { await t?.stop(); });

it('lists users with their product roles, searchable; a member sees only those sharing a product', async () => {
  const ann = await user('ann@example.com', 'Ann Analyst');
  const bob = await user('bob@example.com');
  await user('loner@example.com');
  await t.ok(MEMBER, { i: { productId, userId: ann.id, role: 'MAINTAINER' } }, admin);
  await t.ok(MEMBER, { i: { productId, userId: bob.id, role: 'READER' } }, admin);

  const all = await t.ok('{ users(first: 10) { totalCount nodes { email memberships(first: 5) { nodes { role product { name } } } } } }', {}, admin);
  // by email
  expect(all.users.nodes.map((u: { email: string }) => u.email)).toEqual([ADMIN.email, 'ann@example.com', 'bob@example.com', 'loner@example.com'].sort());
  expect(all.users.totalCount).toBe(all.users.nodes.length);
  expect(all.users.nodes.find((u: { email: string }) => u.email === 'ann@example.com').memberships.nodes).toEqual([{ role: 'MAINTAINER', product: { name: 'Shop' } }]);
  expect((await t.ok('query { users(first: 10, search: "analyst") { nodes { email } } }', {}, admin)).users.nodes).toEqual([{ email: 'ann@example.com' }]);
  // Bob shares Shop with Ann; the loner shares nothing
  const seenByBob = (await t.ok('{ users(first: 10) { nodes { email } } }', {}, bob.token)).users.nodes.map((u: { email: string }) => u.email);
  expect(seenByBob.sort()).toEqual(['ann@example.com', 'bob@example.com']);
});

it('lets a superuser change a user, but not take their own superuser status or deactivate themselves; an inactive user cannot sign in', async () => {
  const cy = await user('cy@example.com');
  const changed = await t.ok(UPDATE_USER, { i: { id: cy.id, name: 'Cy', globalRole: 'READER' } }, admin);
  expect(changed.updateUser.user).toMatchObject({ name: 'Cy', globalRole: 'READER', isActive: true, isSuperuser: false });
  expect((await t.ok(UPDATE_USER, { i: { id: cy.id, globalRole: null } }, admin)).updateUser.user.globalRole).toBeNull();
  expect(codes(await t.gql(UPDATE_USER, { i: { id: cy.id, name: 'Self-made' } }, cy.token))).toEqual(['FORBIDDEN']);

  const me = (await t.ok('{ viewer { id } }', {}, admin)).viewer.id;
  for (const [field, value] of [['isSuperuser', false], ['isActive', false]] as const) {
    const refused = await t.gql(UPDATE_USER, { i: { id: me, [field]: value } }, admin);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(refused).message).toMatch(new RegExp(`^${field}: you cannot`));
  }

  await t.ok(UPDATE_USER, { i: { id: cy.id, isActive: false } }, admin);
  // the session it had is no longer anyone's
  expect((await t.gql('{ viewer { id } }', {}, cy.token)).data?.viewer ?? null).toBeNull();
  expect(codes(await t.gql('mutation($i: LoginInput!) { login(input: $i) { token } }', { i: { email: 'cy@example.com', password: PASSWORD } }))).toEqual(['BAD_USER_INPUT']);
});

it('takes a member off a product; only an Owner (or a superuser) may remove an Owner', async () => {
  const owner = await user('owner@example.com');
  const maint = await user('maint@example.com');
  const writer = await user('writer@example.com');
  await t.ok(MEMBER, { i: { productId, userId: owner.id, role: 'OWNER' } }, admin);
  await t.ok(MEMBER, { i: { productId, userId: maint.id, role: 'MAINTAINER' } }, admin);
  await t.ok(MEMBER, { i: { productId, userId: writer.id, role: 'WRITER' } }, admin);

  expect(codes(await t.gql(REMOVE, { i: { productId, userId: owner.id } }, maint.token))).toEqual(['FORBIDDEN']);
  expect((await t.ok(REMOVE, { i: { productId, userId: writer.id } }, maint.token)).removeProductMember.ok).toBe(true);
  expect((await t.ok(REMOVE, { i: { productId, userId: writer.id } }, maint.token)).removeProductMember.ok).toBe(false);
  expect(codes(await t.gql('query($id: ID!) { node(id: $id) { id } }', { id: productId }, writer.token))).toEqual([]);
  expect((await t.gql('query($id: ID!) { node(id: $id) { id } }', { id: productId }, writer.token)).data!.node).toBeNull();
  expect(codes(await t.gql(REMOVE, { i: { productId, userId: maint.id } }, writer.token))).toEqual(['NOT_FOUND']);
  expect((await t.ok(REMOVE, { i: { productId, userId: owner.id } }, owner.token)).removeProductMember.ok).toBe(true);
});

it("lists the viewer's own API tokens and revokes one by id; the token then stops working", async () => {
  const dee = await user('dee@example.com');
  const created = (await t.ok('mutation { createApiToken(input: { name: "CI" }) { token apiToken { id name lastUsedAt } } }', {}, dee.token)).createApiToken;
  expect(created.apiToken).toMatchObject({ name: 'CI', lastUsedAt: null });
  await t.ok('{ viewer { id } }', {}, created.token);
  const listed = (await t.ok('{ apiTokens(first: 10) { totalCount nodes { id name lastUsedAt } } }', {}, dee.token)).apiTokens;
  expect(listed.totalCount).toBe(1);
  expect(listed.nodes[0]).toMatchObject({ id: created.apiToken.id, name: 'CI' });
  expect(listed.nodes[0].lastUsedAt).not.toBeNull();
  // nobody else sees it or revokes it by id, superusers included
  expect((await t.ok('{ apiTokens(first: 10) { nodes { id } } }', {}, admin)).apiTokens.nodes).toEqual([]);
  expect(codes(await t.gql('mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { ok } }', { i: { id: created.apiToken.id } }, admin))).toEqual(['NOT_FOUND']);
  const both = await t.gql('mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { ok } }', { i: { id: created.apiToken.id, token: created.token } }, dee.token);
  expect(firstError(both).message).toMatch(/give exactly one/);

  await t.ok('mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { ok } }', { i: { id: created.apiToken.id } }, dee.token);
  expect((await t.ok('{ apiTokens(first: 10) { totalCount } }', {}, dee.token)).apiTokens.totalCount).toBe(0);
  expect((await t.gql('{ viewer { id } }', {}, created.token)).data?.viewer ?? null).toBeNull();
});

it('counts active findings by severity, and findings opened and closed per day', async () => {
  const engagementId = (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Manual' } }, admin)).createEngagement.engagement.id;
  const testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Scans' } }, admin)).createTest.test.id;
  const add = async (severity: string) => (await t.ok(CREATE_FINDING, { i: { testId, title: `F ${severity}`, severity } }, admin)).createFinding.finding.id as string;
  for (const s of ['CRITICAL', 'HIGH', 'HIGH', 'LOW']) await add(s);
  const fixed = await add('MEDIUM');
  await t.ok('mutation($i: UpdateFindingInput!) { updateFinding(input: $i) { finding { id } } }', { i: { id: fixed, isMitigated: true } }, admin);
  const other = (await t.ok(CREATE_PRODUCT, { i: { name: 'Other' } }, admin)).createProduct.product.id;

  const summary = (p?: string) => t.ok('query($p: ID) { findingSummary(productId: $p) { critical high medium low info total } }', { p }, admin);
  expect((await summary(productId)).findingSummary).toEqual({ critical: 1, high: 2, medium: 0, low: 1, info: 0, total: 4 });
  expect((await summary(other)).findingSummary.total).toBe(0);

  // three days back, a finding opened and closed that day
  await t.sql(`UPDATE "Finding" SET "createdAt" = now() - interval '3 days', "mitigatedAt" = now() - interval '3 days' WHERE id = $1`, [rowId(fixed)]);
  const days = (await t.ok('query($p: ID) { findingTrend(days: 7, productId: $p) { day opened closed } }', { p: productId }, admin)).findingTrend;
  expect(days).toHaveLength(7);
  expect(days.at(-1)!.day).toBe(new Date().toISOString().slice(0, 10));
  expect(days.map((d: { opened: number }) => d.opened)).toEqual([0, 0, 0, 1, 0, 0, 4]);
  expect(days.map((d: { closed: number }) => d.closed)).toEqual([0, 0, 0, 1, 0, 0, 0]);
  expect(codes(await t.gql('{ findingTrend(days: 0) { day } }', {}, admin))).toEqual(['BAD_USER_INPUT']);
});
