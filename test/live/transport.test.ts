// graphql-ws runs through yoga's envelop: the same auth (Bearer in connectionParams or the session
// cookie), limits and errors as over HTTP. And the subscription side of one process: alerts reach
// only their owner, deleted rows are skipped, and one event costs a fixed number of queries however
// many subscribers wait for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_CONNECTOR, CREATE_USER } from '../support/documents.ts';
import { codes, gid, rowId } from '../support/graphql.ts';
import { subscribe, subscribeOn, type Subscriber } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

let t: TestApp;
let admin: string;
let connectorId: number;
const statements: string[] = [];
const open: Subscriber[] = [];

beforeAll(async () => {
  t = await startTestApp({ role: 'api', onQuery: (s) => statements.push(s) });
  admin = await t.login();
  const input = { name: 'Scans', kind: 'sarif-directory', url: '', options: { path: 'tributary-nonexistent' }, discoverSchedule: null, syncSchedule: null };
  connectorId = rowId((await t.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id);
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await t?.stop();
});

function watch(s: Subscriber): Subscriber {
  open.push(s);
  return s;
}

const subscriptions = (n: number) => waitFor(() => t.app.services.live.listenerCount === n, `${n} subscriptions`);

async function insertOperation(): Promise<number> {
  const [row] = await t.sql(`INSERT INTO "Operation" ("connectorId", type, trigger) VALUES ($1, 'SYNC', 'MANUAL') RETURNING id`, [connectorId]);
  return row.id;
}

describe('graphql-ws transport', () => {
  it('authenticates with the session cookie of the upgrade request as with a Bearer token', async () => {
    class CookieSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) { super(address, protocols, { headers: { cookie: `tributary_session=${admin}` } }); }
    }
    const client = createClient({ url: `${t.url.replace('http', 'ws')}/graphql`, webSocketImpl: CookieSocket, retryAttempts: 0 });
    const viewer = watch(subscribeOn(client, '{ viewer { email } }'));
    await viewer.completed;
    expect(viewer.events).toEqual([{ viewer: { email: 'admin@example.com' } }]);

    const bearer = watch(subscribe(t.url, admin, '{ viewer { email } }'));
    await bearer.completed;
    expect(bearer.events).toEqual([{ viewer: { email: 'admin@example.com' } }]);
  });

  it('applies the query limits of HTTP, with the same error', async () => {
    const deep = `subscription { operationChanged { connector { operations { nodes { connector { records { nodes { connector {
      operations { nodes { connector { records { nodes { connector { name } } } } } } } } } } } } } } }`;
    const overHttp = await t.gql(deep, {}, admin);
    const overWs = watch(subscribe(t.url, admin, deep));
    await overWs.completed;
    expect(overHttp.errors!.length).toBe(1);
    expect(overWs.errors.map((e) => e.message)).toEqual(overHttp.errors!.map((e) => e.message));
    expect(overWs.errors[0]!.message).toMatch(/depth/i);
  });

  it('refuses a connector id that does not exist with NOT_FOUND', async () => {
    const s = watch(subscribe(t.url, admin, 'subscription($c: ID) { operationChanged(connectorId: $c) { id } }', { c: gid('Connector', 999999) }));
    await s.completed;
    expect(codes(s)).toEqual(['NOT_FOUND']);
  });
});

describe('subscriptions in one process', () => {
  it("delivers an alert only to its owner, and lists the viewer's alerts newest first", async () => {
    await t.ok(CREATE_USER, { i: { email: 'other@example.com', password: 'long enough password' } }, admin);
    const other = await t.login('other@example.com', 'long enough password');
    const mine = watch(subscribe(t.url, admin, 'subscription { alertAdded { title description url } }'));
    const theirs = watch(subscribe(t.url, other, 'subscription { alertAdded { title } }'));
    await subscriptions(2);
    const users = await t.sql<{ id: number; email: string }>(`SELECT id, email FROM "User"`);
    const idOf = (email: string) => users.find((u) => u.email === email)!.id;
    await t.sql(`INSERT INTO "Alert" ("userId", event, title, description, url) VALUES ($1, 'operation_failed', 'Sync failed', 'Scans: 401', '/connectors/1'), ($2, 'record_new', 'For other', '', NULL)`,
      [idOf('admin@example.com'), idOf('other@example.com')]);
    await t.sql(`INSERT INTO "Alert" ("userId", event, title) VALUES ($1, 'record_new', 'Second')`, [idOf('admin@example.com')]);
    await waitFor(() => mine.events.length === 2 && theirs.events.length === 1, 'alerts');
    expect(mine.events).toEqual([
      { alertAdded: { title: 'Sync failed', description: 'Scans: 401', url: '/connectors/1' } },
      { alertAdded: { title: 'Second', description: '', url: null } },
    ]);
    expect(theirs.events).toEqual([{ alertAdded: { title: 'For other' } }]);
    const list = await t.gql('{ alerts(first: 5) { totalCount nodes { title } } }', {}, admin);
    expect(list.data).toEqual({ alerts: { totalCount: 2, nodes: [{ title: 'Second' }, { title: 'Sync failed' }] } });
    await Promise.all([mine.dispose(), theirs.dispose()]);
    await subscriptions(0);
  });

  it('skips a row deleted before it could be reloaded', async () => {
    const s = watch(subscribe(t.url, admin, 'subscription { operationChanged { status progress } }'));
    await subscriptions(1);
    const current = `currval(pg_get_serial_sequence('"Operation"', 'id'))`;
    await t.sql(`BEGIN; INSERT INTO "Operation" ("connectorId", type, trigger) VALUES (${connectorId}, 'SYNC', 'MANUAL');
      UPDATE "Operation" SET status = 'RUNNING' WHERE id = ${current}; DELETE FROM "Operation" WHERE id = ${current}; COMMIT`);
    const kept = await insertOperation();
    await t.sql(`UPDATE "Operation" SET progress = '{"recordsDone": 1}' WHERE id = $1`, [kept]);
    await waitFor(() => s.events.length === 2, 'the kept operation');
    expect(s.events).toEqual([
      { operationChanged: { status: 'PENDING', progress: {} } },
      { operationChanged: { status: 'PENDING', progress: { recordsDone: 1 } } },
    ]);
    await s.dispose();
    await subscriptions(0);
  });

  it('ends a subscription when the session it was opened with logs out', async () => {
    const session = await t.login();
    const s = watch(subscribe(t.url, session, 'subscription { operationChanged { status } }'));
    await subscriptions(1);
    expect((await t.gql('mutation { logout { ok } }', {}, session)).data.logout.ok).toBe(true);
    await insertOperation();
    await s.completed;
    expect(s.events).toEqual([]);
    await subscriptions(0);
  });

  it('reads the viewer and the rows once per batch of events, however many subscribers wait', async () => {
    const query = 'subscription { operationChanged { status connector { name } } }';
    const subs = Array.from({ length: 20 }, () => watch(subscribe(t.url, admin, query)));
    await subscriptions(20);
    // per batch: the viewer (user, memberships), its token still valid, the operation, its connector
    statements.length = 0;
    const id = await insertOperation();
    await waitFor(() => subs.every((s) => s.events.length === 1), 'every subscriber: PENDING');
    expect(statements.length).toBe(5);
    await t.sql(`UPDATE "Operation" SET status = 'RUNNING' WHERE id = $1`, [id]);
    await waitFor(() => subs.every((s) => s.events.length === 2), 'every subscriber: RUNNING');
    expect(statements.length).toBe(10);
    for (const s of subs) expect(s.events.map((e) => e.operationChanged)).toEqual([{ status: 'PENDING', connector: { name: 'Scans' } }, { status: 'RUNNING', connector: { name: 'Scans' } }]);
    await Promise.all(subs.map((s) => s.dispose()));
    await subscriptions(0);
  });
});
