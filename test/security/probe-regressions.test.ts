// The outside probe's findings, one test each, replaying its exact requests: anonymous and foreign
// reads through ProductMember, product members reaching connectors through Test.connector and
// TestImport.operation, a Maintainer overwriting an Owner, a moved connector URL keeping its token —
// plus the login/viewer paths the visibility rules must not break. Every attack query is first run by
// the superuser, so a refusal below is the visibility rule and not a depth or cost limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ADD_PRODUCT_MEMBER, CREATE_CONNECTOR, CREATE_ENGAGEMENT, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { codes, firstError, gid, rowId } from '../support/graphql.ts';

let t: TestApp;
let admin: string;

const PASSWORD = 'probe regression pw';
async function createUser(email: string, extra: { globalRole?: string } = {}): Promise<{ id: string; email: string; token: string }> {
  const d = await t.ok(CREATE_USER, { i: { email, name: email.split('@')[0], password: PASSWORD, ...extra } }, admin);
  return { id: d.createUser.user.id, email, token: await t.login(email, PASSWORD) };
}

async function createProduct(name: string): Promise<string> {
  return (await t.ok(CREATE_PRODUCT, { i: { name } }, admin)).createProduct.product.id;
}

async function addMember(productId: string, userId: string, role: string, token = admin): Promise<string> {
  return (await t.ok(ADD_PRODUCT_MEMBER, { i: { productId, userId, role } }, token)).addProductMember.member.id;
}

async function createConnector(name: string): Promise<string> {
  const input = { name, kind: 'github', url: 'https://api.github.com', secret: 'x', options: { organization: 'o' }, discoverSchedule: null, syncSchedule: null };
  return (await t.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id;
}

// The fixture the probe found: product "Shop" files a connector's test under "Global Connectors";
// the connector also has a record mapped to product "Hidden", whose only member must stay unknown.
const HIDDEN_PRODUCT = 'Hidden Payroll';
const HIDDEN_EMAIL = 'payroll.owner@hidden.example';
const RECORD_KEY = 'hidden-repo-key-4711';
const RECORD_NAME = 'payroll-service-repo';
let shop: string;
let hidden: string;
let reader: Awaited<ReturnType<typeof createUser>>;
let outsider: Awaited<ReturnType<typeof createUser>>;
let bystander: Awaited<ReturnType<typeof createUser>>;
let shared: Awaited<ReturnType<typeof createUser>>;
let readerMembership: string;
let bystanderMembership: string;
let sharedMembershipInShop: string;
let sharedMembershipInHidden: string;
let connector: string;
let connectorTest: string;
let operation: string;
/** what must appear nowhere in an answer to someone who may not see the connector */
let leaks: string[];

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();

  shop = await createProduct('Shop');
  hidden = await createProduct(HIDDEN_PRODUCT);
  reader = await createUser('reader@shop.example');
  outsider = await createUser('outsider@nowhere.example');
  bystander = await createUser(HIDDEN_EMAIL);
  shared = await createUser('shared@both.example');
  readerMembership = await addMember(shop, reader.id, 'READER');
  bystanderMembership = await addMember(hidden, bystander.id, 'OWNER');
  sharedMembershipInShop = await addMember(shop, shared.id, 'READER');
  sharedMembershipInHidden = await addMember(hidden, shared.id, 'WRITER');

  connector = await createConnector('Org scanner');
  const engagement = (await t.ok(CREATE_ENGAGEMENT, { i: { productId: shop, name: 'Global Connectors' } }, admin)).createEngagement.engagement.id;
  connectorTest = (await t.ok(CREATE_TEST, { i: { engagementId: engagement, title: 'GitHub: o' } }, admin)).createTest.test.id;
  // no mutation files a test under a connector: the sync does, in SQL
  await t.sql('UPDATE "Test" SET "connectorId" = $1 WHERE id = $2', [rowId(connector), rowId(connectorTest)]);
  const [op] = await t.sql(`INSERT INTO "Operation" ("connectorId", type, status, trigger) VALUES ($1, 'SYNC', 'SUCCEEDED', 'MANUAL') RETURNING id`, [rowId(connector)]);
  operation = gid('Operation', op.id);
  await t.sql('INSERT INTO "TestImport" ("testId", "operationId") VALUES ($1, $2)', [rowId(connectorTest), op.id]);
  await t.sql(`INSERT INTO "Record" ("connectorId", "vendorKey", name, state, "productId", "updatedAt") VALUES ($1, $2, $3, 'GOOD', $4, now())`,
    [rowId(connector), RECORD_KEY, RECORD_NAME, rowId(hidden)]);

  leaks = ['api.github.com', 'organization', HIDDEN_PRODUCT, HIDDEN_EMAIL, RECORD_KEY, RECORD_NAME, operation, connector];
});

afterAll(async () => {
  await t?.stop();
});

function expectNoLeak(response: unknown, markers: string[]) {
  const body = JSON.stringify(response);
  for (const m of markers) expect(body, `the response names "${m}"`).not.toContain(m);
}

describe('probe 1: reads through ProductMember', () => {
  // the probe's request: a membership, its user, and its product down to the connector
  const PROBE = /* GraphQL */ `
    query($id: ID!) {
      node(id: $id) {
        id
        ... on ProductMember {
          role
          user { email isSuperuser }
          product {
            name
            engagements(first: 5) {
              nodes {
                name
                tests(first: 5) {
                  nodes {
                    title
                    connector {
                      url options
                      records(first: 5) { nodes { vendorKey name } }
                      operations(first: 5) { nodes { id status } }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }`;

  it('answers null, with nothing of the member, user, product or connector, to anonymous callers, non-members and members of another product', async () => {
    // the query itself is allowed: the superuser reads the whole path
    const full = await t.gql(PROBE, { id: readerMembership }, admin);
    expect(full.errors).toBeUndefined();
    expect(full.data.node.user.email).toBe(reader.email);
    expect(full.data.node.product.engagements.nodes[0].tests.nodes[0].connector.url).toBe('https://api.github.com');

    const markers = [...leaks, reader.email, 'Shop', 'isSuperuser', 'READER'];
    const anonymous = await t.gql(PROBE, { id: readerMembership });
    expect(anonymous.data, 'anonymous node(ProductMember)').toEqual({ node: null });
    expectNoLeak(anonymous, markers);
    const anonymousList = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProductMember { user { email } } } }', { ids: [readerMembership] });
    expect(anonymousList.data, 'anonymous nodes(ProductMember)').toEqual({ nodes: [null] });
    expectNoLeak(anonymousList, markers);

    const stranger = await t.gql(PROBE, { id: readerMembership }, outsider.token);
    expect(stranger.data, 'a logged-in non-member').toEqual({ node: null });
    expectNoLeak(stranger, markers);
    const otherProduct = await t.gql(PROBE, { id: readerMembership }, bystander.token);
    expect(otherProduct.data, "a member of another product asking for Shop's membership").toEqual({ node: null });
    expectNoLeak(otherProduct, [...leaks.filter((l) => l !== HIDDEN_PRODUCT && l !== HIDDEN_EMAIL), reader.email, 'Shop']);

    // a member of Shop does not reach Hidden through a membership there, of a stranger or of someone in both
    for (const membership of [bystanderMembership, sharedMembershipInHidden]) {
      const r = await t.gql(PROBE, { id: membership }, reader.token);
      expect(r.data, `a Shop reader asking for a Hidden membership (${membership})`).toEqual({ node: null });
      expectNoLeak(r, [HIDDEN_PRODUCT, HIDDEN_EMAIL]);
    }
    // through someone in both products the reader gets that user; the user's one path to products,
    // their memberships, lists only those on products the reader may see (Shop, never Hidden)
    const viaShared = await t.gql('query($id: ID!) { node(id: $id) { ... on ProductMember { user { email } product { name } } } }', { id: sharedMembershipInShop }, reader.token);
    expect(viaShared).toEqual({ data: { node: { user: { email: shared.email }, product: { name: 'Shop' } } } });
    const userType = await t.gql('{ __type(name: "User") { fields { name type { kind ofType { kind } } } } }', {}, reader.token);
    const objectFields = userType.data.__type.fields.filter((f: any) => !['SCALAR', 'ENUM'].includes(f.type.kind === 'NON_NULL' ? f.type.ofType.kind : f.type.kind));
    expect(objectFields.map((f: any) => f.name), 'User fields leading to other objects (a path to products)').toEqual(['memberships']);
    const memberships = await t.gql('query($id: ID!) { node(id: $id) { ... on ProductMember { user { memberships(first: 10) { totalCount nodes { role product { name } } } } } } }', { id: sharedMembershipInShop }, reader.token);
    expect(memberships.data.node.user.memberships.totalCount).toBe(1);
    expect(memberships.data.node.user.memberships.nodes.map((m: any) => m.product.name)).toEqual(['Shop']);
    expectNoLeak(memberships, [HIDDEN_PRODUCT]);
  });
});

describe('probe 2: product members reach connectors', () => {
  const CONNECTOR_PROBE = /* GraphQL */ `
    query($id: ID!) {
      node(id: $id) {
        ... on Test {
          title
          connector {
            url options
            records { nodes { product { name members { nodes { user { email } } } } } }
            operations { nodes { id } }
          }
        }
      }
    }`;
  const IMPORTS_PROBE = /* GraphQL */ `
    query($id: ID!) {
      node(id: $id) { ... on Test { title imports { nodes { id operation { connector { url } } } } } }
    }`;

  it('gives a product Reader the test but not its connector or its import operations: null, FORBIDDEN, and no url, options, records, products or members', async () => {
    const full = await t.gql(CONNECTOR_PROBE, { id: connectorTest }, admin);
    expect(full.errors).toBeUndefined();
    expect(full.data.node.connector.records.nodes[0].product.members.nodes[0].user.email).toBe(HIDDEN_EMAIL);
    const fullImports = await t.gql(IMPORTS_PROBE, { id: connectorTest }, admin);
    expect(fullImports.data.node.imports.nodes[0].operation.connector.url).toBe('https://api.github.com');

    const viaTest = await t.gql(CONNECTOR_PROBE, { id: connectorTest }, reader.token);
    expect(viaTest.data).toEqual({ node: { title: 'GitHub: o', connector: null } });
    expect(viaTest.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'node.connector']]);
    expectNoLeak(viaTest, leaks);

    const viaImports = await t.gql(IMPORTS_PROBE, { id: connectorTest }, reader.token);
    expect(viaImports.data?.node?.title).toBe('GitHub: o');
    expect(viaImports.data.node.imports.nodes).toHaveLength(1);
    expect(viaImports.data.node.imports.nodes[0].operation).toBeNull();
    expect(viaImports.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'node.imports.nodes.0.operation']]);
    expectNoLeak(viaImports, leaks);
  });
});

describe('probe 3: a Maintainer overwrites an Owner through addProductMember', () => {
  const roleIn = async (productId: string, userId: string) =>
    (await t.sql('SELECT role FROM "ProductMember" WHERE "productId" = $1 AND "userId" = $2', [rowId(productId), rowId(userId)]))[0]?.role;

  it("refuses a Maintainer demoting or overwriting an Owner (FORBIDDEN, role unchanged), still lets them manage Readers and Writers, and lets an Owner demote an Owner", async () => {
    const team = await createProduct('Team');
    const owner = await createUser('owner@team.example');
    const coOwner = await createUser('co-owner@team.example');
    const maintainer = await createUser('maintainer@team.example');
    const newcomer = await createUser('newcomer@team.example');
    await addMember(team, owner.id, 'OWNER');
    await addMember(team, coOwner.id, 'OWNER');
    await addMember(team, maintainer.id, 'MAINTAINER');

    for (const role of ['READER', 'MAINTAINER', 'WRITER']) {
      const r = await t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: owner.id, role } }, maintainer.token);
      expect(codes(r), `Maintainer sets an Owner to ${role}`).toEqual(['FORBIDDEN']);
      expect(r.data?.addProductMember ?? null).toBeNull();
      expect(await roleIn(team, owner.id)).toBe('OWNER');
    }

    // Readers and Writers are still the Maintainer's to manage (but not making Owners)
    expect((await t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: newcomer.id, role: 'READER' } }, maintainer.token)).data.addProductMember.member.role).toBe('READER');
    expect((await t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: newcomer.id, role: 'WRITER' } }, maintainer.token)).data.addProductMember.member.role).toBe('WRITER');
    expect(await roleIn(team, newcomer.id)).toBe('WRITER');
    expect(codes(await t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: newcomer.id, role: 'OWNER' } }, maintainer.token))).toEqual(['FORBIDDEN']);
    expect(await roleIn(team, newcomer.id)).toBe('WRITER');

    // an Owner may demote another Owner
    const demoted = await t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: owner.id, role: 'MAINTAINER' } }, coOwner.token);
    expect(demoted.errors).toBeUndefined();
    expect(demoted.data.addProductMember.member).toMatchObject({ role: 'MAINTAINER', user: { email: owner.email } });
    expect(await roleIn(team, owner.id)).toBe('MAINTAINER');
  });

  it("a Maintainer's change racing an Owner's promotion never overwrites the new Owner", async () => {
    const team = await createProduct('Race');
    const owner = await createUser('owner@race.example');
    const maintainer = await createUser('maintainer@race.example');
    await addMember(team, owner.id, 'OWNER');
    await addMember(team, maintainer.id, 'MAINTAINER');
    // before the product row was locked, 19 of 40 such races ended with the promoted user a WRITER
    for (let i = 0; i < 20; i++) {
      const target = await createUser(`target${i}@race.example`);
      await addMember(team, target.id, 'READER');
      const [promote, demote] = await Promise.all([
        t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: target.id, role: 'OWNER' } }, owner.token),
        t.gql(ADD_PRODUCT_MEMBER, { i: { productId: team, userId: target.id, role: 'WRITER' } }, maintainer.token),
      ]);
      expect(promote.errors).toBeUndefined();
      expect(codes(demote)).toEqual(demote.errors ? ['FORBIDDEN'] : []);
      expect(await roleIn(team, target.id), `race ${i}`).toBe('OWNER');
    }
  });
});

describe("probe 4: a moved connector URL keeps the stored token", () => {
  const UPDATE = 'mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { connector { url hasSecret } } }';
  const row = async (id: string) =>
    (await t.sql<{ url: string; secretCiphertext: string; options: unknown; updatedAt: Date }>('SELECT url, "secretCiphertext", options, "updatedAt" FROM "Connector" WHERE id = $1', [rowId(id)]))[0]!;

  it('refuses another scheme, host or port without the secret (BAD_USER_INPUT naming secret, row unchanged); accepts it with the secret, and a path change on the same origin keeps it', async () => {
    const globalMaintainer = await createUser('global.maintainer@example.com', { globalRole: 'MAINTAINER' });
    const id = await createConnector('Someone else\'s token');
    const before = await row(id);
    expect(t.app.services.secrets.open(before.secretCiphertext)).toBe('x');

    for (const [move, url, secret] of [
      ['another host', 'https://collector.attacker.example', undefined],
      ['another host, empty secret', 'https://collector.attacker.example/api/v3', ''],
      ['another scheme', 'http://api.github.com', undefined],
      ['another port', 'https://api.github.com:8443', undefined],
    ] as const) {
      const r = await t.gql(UPDATE, { i: { id, url, ...(secret === undefined ? {} : { secret }) } }, globalMaintainer.token);
      expect(codes(r), move).toEqual(['BAD_USER_INPUT']);
      expect(firstError(r).fields, move).toEqual(['secret']);
      expect(firstError(r).message, move).toMatch(/^secret: /);
      expect(r.data?.updateConnector ?? null, move).toBeNull();
      expect(await row(id), move).toEqual(before);
    }

    // with the token given again the move is made, and the new token is what is stored
    const moved = await t.gql(UPDATE, { i: { id, url: 'https://ghe.example.com/api/v3', secret: 'y' } }, globalMaintainer.token);
    expect(moved.errors).toBeUndefined();
    expect(moved.data.updateConnector.connector).toEqual({ url: 'https://ghe.example.com/api/v3', hasSecret: true });
    const after = await row(id);
    expect(t.app.services.secrets.open(after.secretCiphertext)).toBe('y');

    // only the path changes (same scheme, host and port): the stored token stays
    const repath = await t.gql(UPDATE, { i: { id, url: 'https://ghe.example.com:443/api/v4/' } }, globalMaintainer.token);
    expect(repath.errors).toBeUndefined();
    expect(repath.data.updateConnector.connector).toEqual({ url: 'https://ghe.example.com:443/api/v4', hasSecret: true });
    expect((await row(id)).secretCiphertext).toBe(after.secretCiphertext);
  });
});

describe('probe 5: login and viewer after the visibility rules', () => {
  const LOGIN = /* GraphQL */ `
    mutation($i: LoginInput!) {
      login(input: $i) { token user { id email name isSuperuser globalRole } }
    }`;

  it('returns the user who just logged in in LoginPayload.user, and viewer with the new token, for a member and for someone with no product', async () => {
    for (const who of [reader, outsider]) {
      const r = await t.gql(LOGIN, { i: { email: who.email, password: PASSWORD } });
      expect(r.errors, who.email).toBeUndefined();
      expect(r.data.login.user).toEqual({ id: who.id, email: who.email, name: who.email.split('@')[0], isSuperuser: false, globalRole: null });
      const viewer = await t.gql('{ viewer { id email } }', {}, r.data.login.token);
      expect(viewer).toEqual({ data: { viewer: { id: who.id, email: who.email } } });
    }
    expect(await t.gql('{ viewer { id email } }')).toEqual({ data: { viewer: null } });
  });
});
