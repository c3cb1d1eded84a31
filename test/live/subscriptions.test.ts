// Live updates across processes: two API processes and one worker (separate OS processes) on one
// database. A discover started through API A and run by the worker reaches a subscriber of API B
// only through PostgreSQL NOTIFY.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { createTestDatabase } from '../support/db.ts';
import { CREATE_CONNECTOR, CREATE_USER, RUN_DISCOVER } from '../support/documents.ts';
import { codes, rowId } from '../support/graphql.ts';
import { spawnServer, subscribe, type ServerProcess, type Subscriber } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

const OPERATIONS = /* GraphQL */ `
  subscription($c: ID) {
    operationChanged(connectorId: $c) { id status type connector { name } }
  }`;
const RECORDS = /* GraphQL */ `
  subscription($c: ID) {
    recordChanged(connectorId: $c) { vendorKey name state connector { name } }
  }`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let apiA: ServerProcess, apiB: ServerProcess, worker: ServerProcess;
let sql: pg.Client;
let fake: SarifDirectoryFake;
let admin: string;
let connectorId: string;
const open: Subscriber[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // A first: it creates the admin user, which B would race it for
  apiA = await spawnServer('api', db.url);
  [apiB, worker] = await Promise.all([spawnServer('api', db.url), spawnServer('worker', db.url)]);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  fake = await startSarifDirectoryFake();
  fake.setProjects([{ key: 'alpha', name: 'alpha' }, { key: 'beta', name: 'beta' }]);
  admin = await apiA.login();
  const input = { name: 'Scans', kind: 'sarif-directory', url: '', options: { path: fake.root }, discoverSchedule: null, syncSchedule: null };
  connectorId = (await apiA.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id;
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await Promise.all([apiA, apiB, worker].map((p) => p?.stop()));
  await sql?.end();
  await fake?.close();
  await db?.drop();
});

function watch(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Subscriber {
  const s = subscribe(url, token, query, variables);
  open.push(s);
  return s;
}

/** resolves once API B holds `n` open subscriptions: the next event reaches all of them */
const subscriptionsOnB = (n: number) => waitFor(async () => (await apiB.metric('tributary_live_subscriptions')) === n, `${n} subscriptions on B`);

async function runDiscover(): Promise<string> {
  return (await apiA.ok(RUN_DISCOVER, { c: connectorId }, admin)).runDiscover.operation.id;
}

const statusesOf = (s: Subscriber, opId: string) => s.events.filter((e) => e.operationChanged.id === opId).map((e) => e.operationChanged.status);
const finished = (s: Subscriber, opId: string) => waitFor(() => statusesOf(s, opId).includes('SUCCEEDED'), `operation ${opId} SUCCEEDED`);

async function allowConnections(allow: boolean) {
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" ALLOW_CONNECTIONS ${allow}`);
  await admin.end();
}

async function createUser(email: string, globalRole: string | null): Promise<string> {
  await apiA.ok(CREATE_USER, { i: { email, password: 'long enough password', globalRole } }, admin);
  return apiB.login(email, 'long enough password');
}

describe('live updates across processes', () => {
  it('delivers every status of a discover started on API A, run by the worker, to a subscriber of API B, and its new records', async () => {
    const ops = watch(apiB.url, admin, OPERATIONS, { c: connectorId });
    const records = watch(apiB.url, admin, RECORDS, { c: connectorId });
    await subscriptionsOnB(2);
    const opId = await runDiscover();
    await finished(ops, opId);
    expect(ops.events).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED'].map((status) => ({ operationChanged: { id: opId, status, type: 'DISCOVER', connector: { name: 'Scans' } } })));
    await waitFor(() => records.events.length === 2, 'two record events');
    expect(records.events.map((e) => e.recordChanged).sort((a, b) => a.vendorKey.localeCompare(b.vendorKey))).toEqual([
      { vendorKey: 'alpha', name: 'alpha', state: 'NEW', connector: { name: 'Scans' } },
      { vendorKey: 'beta', name: 'beta', state: 'NEW', connector: { name: 'Scans' } },
    ]);
    expect([ops.errors, records.errors]).toEqual([[], []]);
    await Promise.all([ops.dispose(), records.dispose()]);
    await subscriptionsOnB(0);
  });

  it('refuses a user without a global role a connector, and sends them nothing when they subscribe to everything', async () => {
    const nobody = await createUser('nobody@example.com', null);
    const named = watch(apiB.url, nobody, OPERATIONS, { c: connectorId });
    await named.completed;
    expect(codes(named)).toEqual(['FORBIDDEN']);
    expect(named.events).toEqual([]);

    const everything = watch(apiB.url, nobody, OPERATIONS);
    const witness = watch(apiB.url, admin, OPERATIONS);
    await subscriptionsOnB(2);
    const opId = await runDiscover();
    await finished(witness, opId);
    expect(statusesOf(witness, opId)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect(everything.events).toEqual([]);
    expect(everything.errors).toEqual([]);
    await Promise.all([everything.dispose(), witness.dispose()]);
    await subscriptionsOnB(0);
  });

  it('stops delivering to a user whose global role is removed mid-subscription', async () => {
    const reader = await createUser('reader@example.com', 'READER');
    const theirs = watch(apiB.url, reader, OPERATIONS, { c: connectorId });
    const witness = watch(apiB.url, admin, OPERATIONS, { c: connectorId });
    await subscriptionsOnB(2);
    const first = await runDiscover();
    await finished(theirs, first);

    await sql.query(`UPDATE "User" SET "globalRole" = NULL WHERE email = 'reader@example.com'`);
    const second = await runDiscover();
    await finished(witness, second);
    expect(statusesOf(witness, second)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect(theirs.events.map((e) => [e.operationChanged.id, e.operationChanged.status])).toEqual([[first, 'PENDING'], [first, 'RUNNING'], [first, 'SUCCEEDED']]);
    await Promise.all([theirs.dispose(), witness.dispose()]);
    await subscriptionsOnB(0);
  });

  it('loses no final state when the LISTEN connection is killed: an operation that finished meanwhile still arrives', async () => {
    const ops = watch(apiB.url, admin, OPERATIONS, { c: connectorId });
    await subscriptionsOnB(1);
    // holds the discover in its reconcile (it writes Record), after RUNNING was committed
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN; LOCK TABLE "Record" IN SHARE MODE');
    const opId = await runDiscover();
    await waitFor(() => statusesOf(ops, opId).includes('RUNNING'), 'RUNNING');
    // no new connections until the operation has finished, so the API processes cannot LISTEN again
    // in time to hear it (open connections, the worker's included, keep working)
    await allowConnections(false);
    try {
      // the 5 s argument waits until the backends are gone
      const killed = await blocker.query(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
        WHERE query LIKE 'LISTEN%' AND application_name = 'tributary-live' AND datname = current_database()`);
      expect(killed.rowCount).toBe(2);
      await blocker.query('COMMIT');
      await waitFor(async () => (await blocker.query('SELECT status FROM "Operation" WHERE id = $1', [rowId(opId)])).rows[0].status === 'SUCCEEDED', 'SUCCEEDED committed');
      expect(statusesOf(ops, opId)).toEqual(['PENDING', 'RUNNING']);
    } finally {
      await allowConnections(true);
      await blocker.end();
    }
    await finished(ops, opId);
    expect(statusesOf(ops, opId)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect(ops.errors).toEqual([]);
    await ops.dispose();
    await subscriptionsOnB(0);
  });

  it('answers an unauthenticated websocket subscription, or one with a bad token, with UNAUTHENTICATED', async () => {
    for (const token of [null, 'not-a-token']) {
      const s = watch(apiB.url, token, OPERATIONS, { c: connectorId });
      await s.completed;
      expect(codes(s)).toEqual(['UNAUTHENTICATED']);
      expect(s.events).toEqual([]);
    }
  });
});
