// Scale-out behaviour of operations: one API process and two worker processes on one database.
// A due schedule starts exactly one operation however many ticks race for it, operations of one
// connector never overlap, and only the newest `operationsRetained` operations are kept.
import { fireDueSchedules } from '@tributary/server/jobs/schedule.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakes } from '../fakes/index.ts';
import type { FakeTool } from '../fakes/fake.ts';
import { startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { createConnector, discover, startDiscoverApp, updateConnector, waitFinished, type DiscoverApp } from '../support/connectors.ts';
import { CONNECTOR_OPERATIONS, RUN_DISCOVER, RUN_SYNC } from '../support/documents.ts';
import { projectsFor } from '../support/kinds.ts';
import { waitFor } from '../support/wait.ts';

const SCHEDULED = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) { ... on Connector { nextDiscoverAt operations(first: 5) { nodes { id trigger } } } }
  }`;

let api: DiscoverApp;
let workers: DiscoverApp[];
let sarif: FakeTool;
beforeAll(async () => {
  api = await startDiscoverApp({ role: 'api' });
  workers = await Promise.all([1, 2].map(() => startDiscoverApp({ role: 'worker', databaseUrl: api.databaseUrl })));
  sarif = await fakes['sarif-directory']!();
  sarif.setProjects(projectsFor(sarif.kind, [1, 2]));
});
afterAll(async () => {
  for (const w of workers ?? []) await w.stop();
  await sarif?.close();
  await api?.stop();
});

const operationRows = (connectorName: string) => api.sql<{ id: number; trigger: string; status: string; type: string }>(
  'SELECT o.id, o.trigger, o.status, o.type FROM "Operation" o JOIN "Connector" c ON c.id = o."connectorId" WHERE c.name = $1 ORDER BY o.id',
  [connectorName]);

describe('schedules with two workers', () => {
  it.each([
    ['both workers call fireDueSchedules at the same moment', async () => {
      await Promise.all(workers.map((w) => fireDueSchedules(w.app.services)));
    }],
    ['two schedule_tick jobs are queued at once', async () => {
      await api.sql(`SELECT graphile_worker.add_job('schedule_tick', '{}'), graphile_worker.add_job('schedule_tick', '{}')`);
      await waitFor(async () => (await api.sql(`SELECT count(*)::int n FROM graphile_worker.jobs WHERE task_identifier = 'schedule_tick'`))[0].n === 0, 'both ticks to run');
    }],
  ])('a due schedule fires once when %s', async (_how, tick) => {
    const c = await createConnector(api, sarif, { discoverSchedule: '* * * * *' });
    await api.sql(`UPDATE "Connector" SET "nextDiscoverAt" = now() - interval '5 minutes' WHERE name = $1`, [c.name]);
    const before = Date.now();
    await tick();

    const ops = await operationRows(c.name);
    expect(ops.map((o) => [o.type, o.trigger])).toEqual([['DISCOVER', 'SCHEDULED']]);
    const listed = await api.ok(SCHEDULED, { id: c.id });
    expect(listed.node.operations.nodes).toEqual([{ id: expect.any(String), trigger: 'SCHEDULED' }]);
    const done = await waitFinished(api, listed.node.operations.nodes[0].id);
    expect([done.status, done.stats.recordsDiscovered]).toEqual(['SUCCEEDED', 2]);
    // the next slot is the next whole minute after the tick
    const next = Date.parse(listed.node.nextDiscoverAt);
    expect(next).toBeGreaterThan(before);
    expect(next).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(new Date(next).getUTCSeconds()).toBe(0);
  });

  it('a tick with many connectors due on a slow database starts each of them once', async () => {
    // found by `pnpm bench:soak`: 50 connectors due in one minute on a loaded machine took the
    // tick's single transaction past Prisma's 5 s limit, and every one of them missed that minute.
    // Here every Operation insert takes 100 ms: 60 of them are 6 s of work.
    const due = await Promise.all(Array.from({ length: 60 }, () => createConnector(api, sarif, { discoverSchedule: '0 0 1 1 *' })));
    const names = due.map((c) => c.name);
    // yearly and due now: the tick that fires each moves it a year ahead, so the minute cron cannot fire it again
    await api.sql(`UPDATE "Connector" SET "nextDiscoverAt" = now() - interval '1 minute' WHERE name = ANY($1)`, [names]);
    await api.sql(`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$;
      CREATE TRIGGER slow_insert BEFORE INSERT ON "Operation" FOR EACH ROW EXECUTE FUNCTION slow_insert()`);
    try {
      await fireDueSchedules(workers[0]!.app.services);
    } finally {
      await api.sql('DROP TRIGGER slow_insert ON "Operation"; DROP FUNCTION slow_insert()');
    }
    const started = await api.sql<{ name: string; n: number }>(`SELECT c.name, count(o.id)::int n FROM "Connector" c
      LEFT JOIN "Operation" o ON o."connectorId" = c.id AND o.trigger = 'SCHEDULED' WHERE c.name = ANY($1) GROUP BY 1`, [names]);
    expect(started.filter((r) => r.n !== 1)).toEqual([]);
    expect(started).toHaveLength(60);
  }, 120_000);
});

describe('operations of one connector', () => {
  let sonar: SonarqubeFake;
  beforeAll(async () => { sonar = await startSonarqubeFake(); });
  afterAll(async () => { await sonar?.close(); });

  it('never overlap, even with a second worker idle', async () => {
    sonar.setProjects(projectsFor('sonarqube', [1]));
    const c = await createConnector(api, sonar, { autoMap: true });
    // the discover waits out one Retry-After second: time enough for an idle worker to start the sync
    sonar.failNext(1, { status: 503, retryAfter: 1 });
    const d = (await api.ok(RUN_DISCOVER, { c: c.id })).runDiscover.operation;
    const s = (await api.ok(RUN_SYNC, { c: c.id })).runSync.operation;
    const [disc, sync] = [await waitFinished(api, d.id), await waitFinished(api, s.id)];
    expect([disc.status, sync.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(disc.durationMs).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(sync.startedAt)).toBeGreaterThanOrEqual(Date.parse(disc.endedAt));
    // the sync ran after the discover, so it saw the auto-mapped record
    expect(sync.stats.recordsSynced).toBe(1);
  });

  it('pressing Discover twice while one runs queues one more, not two', async () => {
    sonar.setProjects(projectsFor('sonarqube', [1]));
    const c = await createConnector(api, sonar);
    sonar.failNext(1, { status: 503, retryAfter: 1 });
    const press = async () => (await api.ok(RUN_DISCOVER, { c: c.id })).runDiscover.operation.id as string;
    const running = await press();
    await waitFor(async () => (await api.sql('SELECT status FROM "Operation" o JOIN "Connector" c ON c.id = o."connectorId" WHERE c.name = $1', [c.name]))[0]?.status === 'RUNNING', 'the first discover to start');
    const [second, third] = [await press(), await press()];
    expect(second).not.toBe(running);
    expect(third).toBe(second);
    expect((await waitFinished(api, second)).status).toBe('SUCCEEDED');
    expect((await operationRows(c.name)).map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('only the newest operationsRetained are kept', async () => {
    const c = await createConnector(api, sarif);
    await updateConnector(api, c.id, { operationsRetained: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await discover(api, c.id)).id);
    const kept = await api.ok(CONNECTOR_OPERATIONS, { id: c.id });
    expect(kept.node.operations).toEqual({ totalCount: 3, nodes: ids.slice(2).reverse().map((id) => ({ id, type: 'DISCOVER' })) });
    expect(await operationRows(c.name)).toHaveLength(3);
  });
});
