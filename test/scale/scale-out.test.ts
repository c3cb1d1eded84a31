// Scale-out on one PostgreSQL, no broker: two API processes and two worker processes (separate OS
// processes). Twenty connectors' syncs spread over both workers and each runs exactly once; two
// schedule ticks at once start each due schedule once; subscribers of both APIs see every operation
// change; a worker stopped with SIGTERM mid-sync loses nothing (another worker finishes its job).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeFinding } from '../fakes/fake.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { createTestDatabase } from '../support/db.ts';
import { CREATE_CONNECTOR, RUN_DISCOVER, RUN_SYNC } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { metricSum, spawnServer, subscribe, type ServerProcess, type Subscriber } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

const CONNECTORS = 20;
const FINDINGS = 300;
/** the SIGTERM part: enough findings per sync that the signal lands mid-reimport */
const BIG = 15_000;
// two jobs at a time per worker: twenty syncs cannot all land on one worker at once. A 50 ms grace:
// with 1 s, a quiet machine (CI) finished the 15,000-finding sync inside the grace, so the release
// path this test is about was never taken (the sync is mid-stream when the signal comes)
const WORKER_ENV = { TRIBUTARY_WORKER_CONCURRENCY: '2', TRIBUTARY_SHUTDOWN_GRACE_MS: '50' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let apiA: ServerProcess, apiB: ServerProcess;
const workers: ServerProcess[] = [];
let sql: pg.Client;
const fakes: SarifDirectoryFake[] = [];
const connectors: Array<{ id: string; rowId: number; key: string }> = [];
let admin: string;
const open: Subscriber[] = [];

const findings = (key: string, n: number, prefix = 'f'): FakeFinding[] => Array.from({ length: n }, (_, i) => ({
  id: `${key}-${prefix}${i}`, title: `Rule ${prefix}${i % 40} in ${key}`, severity: (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)[i % 4], filePath: `${prefix}/${i % 50}.ts`, line: i,
}));

beforeAll(async () => {
  db = await createTestDatabase();
  apiA = await spawnServer('api', db.url);
  const started = await Promise.all([spawnServer('api', db.url), spawnServer('worker', db.url, WORKER_ENV), spawnServer('worker', db.url, WORKER_ENV)]);
  apiB = started[0];
  workers.push(started[1], started[2]);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  admin = await apiA.login();
  for (let i = 0; i < CONNECTORS; i++) {
    const fake = await startSarifDirectoryFake();
    const key = `project-${i}`;
    fake.setProjects([{ key, name: key }]);
    fake.setFindings(key, findings(key, FINDINGS));
    fakes.push(fake);
    const input = { name: `Scans ${i}`, kind: fake.kind, url: '', options: fake.options, autoMap: true, discoverSchedule: '', syncSchedule: '' };
    const id = (await apiA.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id as string;
    connectors.push({ id, rowId: rowId(id), key });
  }
  const discovers = await Promise.all(connectors.map(async (c) => rowId((await apiB.ok(RUN_DISCOVER, { c: c.id }, admin)).runDiscover.operation.id)));
  await finished(discovers);
}, 240_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await Promise.all([apiA, apiB, ...workers].map((p) => p?.stop()));
  await sql?.end();
  for (const f of fakes) await f.close();
  await db?.drop();
});

async function finished(ids: number[], timeoutMs = 120_000): Promise<Array<{ id: number; status: string; stats: any; trigger: string }>> {
  return waitFor(async () => {
    const { rows } = await sql.query(`SELECT id, status, stats, trigger FROM "Operation" WHERE id = ANY($1::int[]) ORDER BY id`, [ids]);
    return rows.length === ids.length && rows.every((r) => r.status === 'SUCCEEDED' || r.status === 'FAILED') ? rows : null;
  }, `operations ${ids.join(',')} to finish`, timeoutMs);
}

const ranOperations = (w: ServerProcess) => metricSum(w.url, 'tributary_jobs_total', { task: 'run_operation', outcome: 'ok' });
const statuses = (s: Subscriber, id: number) => s.events.filter((e) => rowId(e.operationChanged.id) === id).map((e) => e.operationChanged.status as string);
const ORDER = ['PENDING', 'RUNNING', 'SUCCEEDED'];

describe('two API and two worker processes on one PostgreSQL', () => {
  it('spreads twenty syncs over both workers, runs each exactly once, and both APIs\' subscribers see every change', async () => {
    const onA = subscribe(apiA.url, admin, 'subscription { operationChanged { id status } }');
    const onB = subscribe(apiB.url, admin, 'subscription { operationChanged { id status } }');
    open.push(onA, onB);
    await waitFor(async () => (await apiA.metric('tributary_live_subscriptions')) === 1 && (await apiB.metric('tributary_live_subscriptions')) === 1, 'both subscriptions');
    const before = await Promise.all(workers.map(ranOperations));

    const ids = await Promise.all(connectors.map(async (c, i) => rowId((await (i % 2 ? apiA : apiB).ok(RUN_SYNC, { c: c.id }, admin)).runSync.operation.id)));
    const ops = await finished(ids);
    expect(ops.map((o) => o.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    for (const o of ops) expect(o.stats).toMatchObject({ recordsSynced: 1, findingsNew: FINDINGS, findingsClosed: 0 });

    // exactly once: one import per sync, one job run per sync across the two workers, both took some
    const imports = (await sql.query(`SELECT "operationId", count(*)::int n FROM "TestImport" WHERE "operationId" = ANY($1::int[]) GROUP BY 1`, [ids])).rows;
    expect(imports.map((r) => r.n)).toEqual(ids.map(() => 1));
    const ran = (await Promise.all(workers.map(ranOperations))).map((n, i) => n - before[i]!);
    expect(ran[0]! + ran[1]!).toBe(CONNECTORS);
    expect(ran[0]).toBeGreaterThan(0);
    expect(ran[1]).toBeGreaterThan(0);
    const [{ n: total }] = (await sql.query(`SELECT count(*)::int n FROM "Finding"`)).rows;
    expect(total).toBe(CONNECTORS * FINDINGS);

    // every operation reaches both APIs' subscribers, in order, ending SUCCEEDED
    await waitFor(() => ids.every((id) => statuses(onA, id).at(-1) === 'SUCCEEDED' && statuses(onB, id).at(-1) === 'SUCCEEDED'), 'every SUCCEEDED on both APIs');
    for (const s of [onA, onB]) {
      for (const id of ids) {
        const seen = statuses(s, id).map((st) => ORDER.indexOf(st));
        expect(seen, `operation ${id}`).toEqual([...seen].sort((a, b) => a - b));
      }
    }
  }, 180_000);

  it('starts each due schedule once when two ticks run at once on the two workers', async () => {
    const due = connectors.slice(0, 5).map((c) => c.rowId);
    // a yearly schedule due now: the tick that fires it moves it a year ahead, so the minute cron cannot fire it again
    await sql.query(`UPDATE "Connector" SET "syncSchedule" = '0 0 1 1 *', "nextSyncAt" = now() - interval '1 minute' WHERE id = ANY($1::int[])`, [due]);
    const before = await sql.query(`SELECT coalesce(max(id), 0) m FROM "Operation"`);
    await sql.query(`SELECT graphile_worker.add_job('schedule_tick'), graphile_worker.add_job('schedule_tick')`);
    await waitFor(async () => (await sql.query(`SELECT count(*)::int n FROM graphile_worker.jobs WHERE task_identifier = 'schedule_tick'`)).rows[0].n === 0, 'both ticks to run');
    const { rows } = await sql.query(`SELECT id, "connectorId" FROM "Operation" WHERE id > $1 AND trigger = 'SCHEDULED'`, [before.rows[0].m]);
    expect(rows.map((r) => r.connectorId).sort((a, b) => a - b)).toEqual(due);
    const ops = await finished(rows.map((r) => r.id));
    expect(ops.every((o) => o.status === 'SUCCEEDED')).toBe(true);
    await sql.query(`UPDATE "Connector" SET "syncSchedule" = NULL, "nextSyncAt" = NULL WHERE id = ANY($1::int[])`, [due]);
  }, 120_000);

  it('a worker stopped with SIGTERM mid-sync loses nothing: its job is released and finished by the other worker', async () => {
    const big = connectors.slice(0, 3);
    for (const c of big) fakes[connectors.indexOf(c)]!.setFindings(c.key, findings(c.key, BIG, 'big'));
    const ids = await Promise.all(big.map(async (c) => rowId((await apiA.ok(RUN_SYNC, { c: c.id }, admin)).runSync.operation.id)));
    // the worker that is streaming findings of one of them right now
    await waitFor(async () => {
      const { rows } = await sql.query(`SELECT count(*)::int n FROM "Operation" WHERE id = ANY($1::int[]) AND status = 'RUNNING' AND (progress->>'findings')::int > 0`, [ids]);
      return rows[0].n > 0;
    }, 'a sync to be streaming', 60_000);
    const running = await Promise.all(workers.map((w) => metricSum(w.url, 'tributary_jobs_running', { task: 'run_operation' })));
    const victim = workers[running[0]! > 0 ? 0 : 1]!;
    const survivor = workers.find((w) => w !== victim)!;
    const stoppedAt = Date.now();
    process.kill(victim.pid, 'SIGTERM');
    expect(await victim.exited).toBe(143);
    // the grace, the abort unwinding, the drain: well under the 25 s an orchestrator would allow
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // released, not finished: past the grace the sync was aborted and its job handed back for a retry
    expect(victim.output()).toMatch(/Failed task \d+ \(run_operation[^)]*\) with error[^\n]*abort/i);

    const ops = await finished(ids, 120_000);
    expect(ops.map((o) => o.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    for (const o of ops) expect(o.stats).toMatchObject({ recordsSynced: 1, findingsNew: BIG, findingsClosed: FINDINGS, findingsReactivated: 0 });
    const imports = (await sql.query(`SELECT "operationId", count(*)::int n FROM "TestImport" WHERE "operationId" = ANY($1::int[]) GROUP BY 1 ORDER BY 1`, [ids])).rows;
    expect(imports.map((r) => r.n)).toEqual(ids.map(() => 1));
    for (const c of big) {
      const { rows: [t] } = await sql.query(`SELECT count(*)::int n, count(*) FILTER (WHERE f.active)::int active, count(DISTINCT f."uniqueIdFromTool")::int d
        FROM "Finding" f JOIN "Test" te ON te.id = f."testId" WHERE te."connectorId" = $1`, [c.rowId]);
      expect(t).toEqual({ n: BIG + FINDINGS, active: BIG, d: BIG + FINDINGS });
    }
    expect(await metricSum(survivor.url, 'tributary_jobs_running', { task: 'run_operation' })).toBe(0);
  }, 180_000);
});
