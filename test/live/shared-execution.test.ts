// One live event's fields are resolved once for all the subscriptions that get the same answer
// (graphql/live-execution.ts): the same row, document and variables, and viewers with the same rights,
// unless the answer read who the viewer is; each for the viewer as the event's batch loaded it, with
// fresh reads. Nothing is shared beyond that, and each subscriber's own token is still checked.
import { GraphQLBoolean, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Viewer } from '@tributary/server/auth/viewer.ts';
import { answerOnce } from '@tributary/server/graphql/live-execution.ts';
import type { LiveItem } from '@tributary/server/live/topics.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ADD_PRODUCT_MEMBER, CREATE_CONNECTOR, CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { subscribe, type Subscriber } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

let t: TestApp;
let admin: string;
let connectorGid: string;
let productGid: string;
let testGid: string;
let recordId: number;
const statements: string[] = [];
const open: Subscriber[] = [];

beforeAll(async () => {
  t = await startTestApp({ role: 'api', onQuery: (s) => statements.push(s) });
  admin = await t.login();
  const input = { name: 'Scans', kind: 'sarif-directory', url: '', options: { path: 'tributary-nonexistent' }, discoverSchedule: null, syncSchedule: null };
  connectorGid = (await t.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id;
  productGid = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id;
  const engagementGid = (await t.ok(CREATE_ENGAGEMENT, { i: { name: 'Global Connectors', productId: productGid } }, admin)).createEngagement.engagement.id;
  testGid = (await t.ok(CREATE_TEST, { i: { title: 'Scans', engagementId: engagementGid } }, admin)).createTest.test.id;
  for (const severity of ['HIGH', 'LOW']) await t.ok(CREATE_FINDING, { i: { testId: testGid, title: `a ${severity} finding`, severity } }, admin);
  [{ id: recordId }] = await t.sql(`INSERT INTO "Record" ("connectorId", "vendorKey", name, state, "productId", "updatedAt")
    VALUES ($1, 'shop', 'shop', 'GOOD', $2, now()) RETURNING id`, [rowId(connectorGid), rowId(productGid)]);
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await t?.stop();
});

function watch(token: string, query: string, variables: Record<string, unknown> = {}): Subscriber {
  const s = subscribe(t.url, token, query, variables);
  open.push(s);
  return s;
}

const subscriptions = (n: number) => waitFor(() => t.app.services.live.listenerCount === n, `${n} subscriptions`);
const rename = (name: string) => t.sql('UPDATE "Record" SET name = $1 WHERE id = $2', [name, recordId]);

/** the new user's id and a session token */
async function createUser(email: string, globalRole: string | null): Promise<{ id: string; token: string }> {
  const id: string = (await t.ok(CREATE_USER, { i: { email, password: 'long enough password', globalRole } }, admin)).createUser.user.id;
  return { id, token: await t.login(email, 'long enough password') };
}

describe('live events resolved once per answer', () => {
  it('resolves an event once per distinct document, variables and rights, with fresh reads every event', async () => {
    const [reader, otherReader] = [await createUser('first-reader@example.com', 'READER'), await createUser('second-reader@example.com', 'READER')];
    // a product's finding counts are read through a request loader: per execution, one statement
    const query = `subscription($c: ID, $f: FindingFilter) {
      recordChanged(connectorId: $c) { name product { findings(filter: $f) { totalCount } } } }`;
    const HIGH = { c: connectorGid, f: { severities: ['HIGH'] } };
    const five = (token: string, variables: Record<string, unknown>) => Array.from({ length: 5 }, () => watch(token, query, variables));
    // the superuser, and two readers with the same rights, ask for the HIGH findings; one reader for all
    const high = [...five(admin, HIGH), ...five(reader.token, HIGH), ...five(otherReader.token, HIGH)];
    const all = five(reader.token, { c: connectorGid });
    await subscriptions(20);
    const counterReads = () => statements.filter((s) => s.includes('"FindingCount"')).length;
    const arrived = (n: number) => waitFor(() => [...high, ...all].every((s) => s.events.length === n), `event ${n} at every subscriber`);
    const totals = (subs: Subscriber[]) => subs.map((s) => s.events.at(-1).recordChanged.product.findings.totalCount);

    statements.length = 0;
    await rename('first');
    await arrived(1);
    // superuser × HIGH, readers × HIGH, reader × all; 20 executions read the counters 20 times
    expect(counterReads()).toBe(3);
    expect([...new Set(totals(high))], 'HIGH findings').toEqual([1]);
    expect([...new Set(totals(all))], 'all findings').toEqual([2]);

    // a subscription's own request loaders kept what the first event read for as long as it lived
    await t.ok(CREATE_FINDING, { i: { testId: testGid, title: 'another HIGH finding', severity: 'HIGH' } }, admin);
    statements.length = 0;
    await rename('second');
    await arrived(2);
    expect(counterReads()).toBe(3);
    expect([...new Set(totals(high))], 'HIGH findings').toEqual([2]);
    expect([...new Set(totals(all))], 'all findings').toEqual([3]);
    for (const s of [...high, ...all]) expect(s.errors).toEqual([]);
    await Promise.all([...high, ...all].map((s) => s.dispose()));
    await subscriptions(0);
  });

  it('shares nothing across users, rights or tokens: every subscriber gets exactly what it may see at the event', async () => {
    const reader = await createUser('reader@example.com', 'READER');
    const demoted = await createUser('demoted@example.com', 'READER');
    const member = await createUser('member@example.com', null);
    await t.ok(ADD_PRODUCT_MEMBER, { i: { productId: productGid, userId: member.id, role: 'OWNER' } }, admin);
    const otherSession = await t.login();
    // the same document for everyone: any answer shared beyond its viewer would show here
    const query = 'subscription { recordChanged { name product { name } } }';
    const subs = {
      admin: watch(admin, query),
      adminLoggedOut: watch(otherSession, query),
      reader: watch(reader.token, query),
      demoted: watch(demoted.token, query),
      member: watch(member.token, query),
    };
    await subscriptions(5);
    await t.sql(`UPDATE "User" SET "globalRole" = NULL WHERE email = 'demoted@example.com'`);
    expect((await t.gql('mutation { logout { ok } }', {}, otherSession)).data.logout.ok).toBe(true);

    await rename('third');
    await waitFor(() => subs.admin.events.length === 1 && subs.reader.events.length === 1, 'the event at admin and reader');
    await subs.adminLoggedOut.completed;
    // a moment for anything that should not arrive
    await new Promise((r) => setTimeout(r, 300));
    const seen = { recordChanged: { name: 'third', product: { name: 'Shop' } } };
    expect(subs.admin.events).toEqual([seen]);
    expect(subs.reader.events).toEqual([seen]);
    expect(subs.adminLoggedOut.events).toEqual([]);
    // records are global-role objects: a product member without one, or a reader who just lost it, sees none
    expect(subs.demoted.events).toEqual([]);
    expect(subs.member.events).toEqual([]);
    for (const s of Object.values(subs)) expect(s.errors).toEqual([]);
    await Promise.all(Object.values(subs).map((s) => s.dispose()));
    await subscriptions(0);
  });
});

describe('answerOnce: what an answer read decides who may share it', () => {
  let runs = 0;
  const Row = new GraphQLObjectType<{ id: number; productId: number; ownerId: number }, any>({
    name: 'Row',
    fields: {
      id: { type: GraphQLInt, resolve: (row) => { runs++; return row.id; } },
      seesAll: { type: GraphQLBoolean, resolve: (_row, _a, ctx) => ctx.viewer.seesAllProducts },
      canView: { type: GraphQLBoolean, resolve: (row, _a, ctx) => ctx.viewer.can('product.view', row.productId) },
      mine: { type: GraphQLBoolean, resolve: (row, _a, ctx) => ctx.viewer.id === row.ownerId },
      email: { type: GraphQLString, resolve: (_row, _a, ctx) => ctx.viewer.user.email },
      token: { type: GraphQLString, resolve: (_row, _a, ctx) => ctx.authToken },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType({ name: 'Subscription', fields: { changed: { type: Row, resolve: (item: LiveItem) => item.row } } }),
  });
  const viewer = (id: number, globalRole: 'READER' | null, memberships: Array<[number, 'OWNER']> = []) =>
    new Viewer({ id, email: `user${id}@example.com`, isSuperuser: false, globalRole, isActive: true } as never, new Map(memberships));
  const [readerA, readerB, owner] = [viewer(2, 'READER'), viewer(3, 'READER'), viewer(4, null, [[7, 'OWNER']])];
  const ask = (document: string, row: LiveItem['row'], v: Viewer, rights: string, authToken = 'token-1') =>
    answerOnce({ schema, document: parse(document), contextValue: { authToken, viewer: null, loaders: new Map() } }, document, { row, viewer: v, rights });

  it('shares an answer that read only the viewer\'s rights among viewers with the same rights, and no further', async () => {
    runs = 0;
    const row = { id: 1, productId: 7, ownerId: 2 };
    const doc = 'subscription { changed { id seesAll canView } }';
    const answers = await Promise.all([ask(doc, row, readerA, 'reader'), ask(doc, row, readerB, 'reader'), ask(doc, row, readerA, 'reader'), ask(doc, row, owner, 'owner')]);
    expect(runs).toBe(2);
    expect(answers.map((a) => a.data)).toEqual([
      ...Array(3).fill({ changed: { id: 1, seesAll: true, canView: true } }),
      { changed: { id: 1, seesAll: false, canView: true } },
    ]);
  });

  it("keeps an answer that read the viewer's id or user, or the connection's context, to its own viewer", async () => {
    runs = 0;
    const row = { id: 2, productId: 7, ownerId: 2 };
    const doc = 'subscription { changed { id mine email } }';
    const [a, b, bAgain] = await Promise.all([ask(doc, row, readerA, 'reader'), ask(doc, row, readerB, 'reader'), ask(doc, row, readerB, 'reader')]);
    expect([a.data, b.data, bAgain.data]).toEqual([
      { changed: { id: 2, mine: true, email: 'user2@example.com' } },
      { changed: { id: 2, mine: false, email: 'user3@example.com' } },
      { changed: { id: 2, mine: false, email: 'user3@example.com' } },
    ]);
    // readerA's, then readerB's own, kept for readerB's second subscription
    expect(runs).toBe(2);

    const tokens = await Promise.all([ask('subscription { changed { token } }', row, readerA, 'reader', 'token-1'), ask('subscription { changed { token } }', row, readerB, 'reader', 'token-2')]);
    expect(tokens.map((r) => r.data)).toEqual([{ changed: { token: 'token-1' } }, { changed: { token: 'token-2' } }]);
  });
});
