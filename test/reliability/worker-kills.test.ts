// Worker kills: SIGKILL of the worker process at random points of discover and sync (fetch, staging,
// apply, commit), RELIABILITY_KILLS times (6 in `pnpm test`, 200 by hand). Every round runs the same
// operation twice against identical vendor data: once on a reference connector, uninterrupted, and
// once on a victim connector whose worker is killed mid-way and recovered by another worker process.
// Afterwards the victim must equal the reference: records and their states, every finding with its
// status, severity and title, nothing lost or doubled, one TestImport per test, the same stats, and
// no operation left PENDING or RUNNING.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeFinding } from '../fakes/fake.ts';
import { startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { createConnector, startDiscoverApp, type DiscoverApp } from '../support/connectors.ts';
import { RUN_DISCOVER, RUN_SYNC } from '../support/documents.ts';
import { metricSum, spawnServer, type ServerProcess } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { rowId, setting, startLatencyProxy, type LatencyProxy } from './support.ts';

// 6 in `pnpm test` (~100 s on a loaded 2-core machine; most of it is recovery: stale time, poll, rerun)
const KILLS = setting('KILLS', 6);
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
const PER_PROJECT = setting('KILL_FINDINGS', 300);
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
// a dead worker is noticed after 1 s (15 s in production): the suite measures recovery, not patience
const WORKER_ENV = { TRIBUTARY_WORKER_STALE_MS: '1000' };

/** round r's vendor state: one project of five gone (MISSING, then back), a tenth of the findings gone (closed, then reactivated), severities moving */
function projectsOf(round: number) {
  return KEYS.filter((_, i) => (i + round) % KEYS.length !== 0).map((key) => ({ key, name: `Kill ${key}` }));
}
function findingsOf(round: number, key: string): FakeFinding[] {
  const out: FakeFinding[] = [];
  for (let i = 0; i < PER_PROJECT; i++) {
    if ((i * 7 + round) % 10 === 0) continue;
    out.push({ id: `${key}-${i}`, title: `Rule ${i % 30} in ${key}`, severity: SEVERITIES[(i + (round >> 1)) % 4], filePath: `src/${i % 200}.ts`, line: i, cwe: 79 + (i % 5) });
  }
  return out;
}

let t: DiscoverApp;
const fakes: SonarqubeFake[] = [];
const proxies: LatencyProxy[] = [];
let workers: ServerProcess[] = [];
const spawned: ServerProcess[] = [];

async function addWorker(): Promise<ServerProcess> {
  const w = await spawnServer('worker', t.databaseUrl, WORKER_ENV);
  spawned.push(w);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  t = await startDiscoverApp({ role: 'api' });
  for (let i = 0; i < 2; i++) {
    const fake = await startSonarqubeFake();
    // 50 a page and 15 ms a request: a sync spends most of its time fetching, as against a real tool
    fake.setPageSizeCap(50);
    fakes.push(fake);
    proxies.push(await startLatencyProxy(fake.url, 15));
  }
  await Promise.all([addWorker(), addWorker()]);
});
afterAll(async () => {
  for (const w of spawned) await w.stop().catch(() => {});
  for (const p of proxies) await p.close();
  for (const f of fakes) await f.close();
  await t?.stop();
});

function setVendorState(round: number) {
  for (const fake of fakes) {
    fake.setProjects(projectsOf(round));
    for (const key of KEYS) fake.setFindings(key, findingsOf(round, key));
  }
}

async function start(connectorId: string, type: 'DISCOVER' | 'SYNC'): Promise<number> {
  const data = await t.ok(type === 'DISCOVER' ? RUN_DISCOVER : RUN_SYNC, { c: connectorId });
  return rowId((type === 'DISCOVER' ? data.runDiscover : data.runSync).operation.id);
}

async function finished(opId: number, timeoutMs = 60_000): Promise<{ status: string; stats: any; error: string | null; durationMs: number }> {
  return waitFor(async () => {
    const [op] = await t.sql(`SELECT status, stats, error, "durationMs" FROM "Operation" WHERE id = $1`, [opId]);
    return op && (op.status === 'SUCCEEDED' || op.status === 'FAILED') ? op : null;
  }, `operation ${opId} to finish`, timeoutMs);
}

/** what a connector holds: records by key, and every finding of its tests keyed by project and tool id */
async function snapshot(connectorId: number) {
  const recs = await t.sql(`SELECT "vendorKey", name, state, "productId" IS NOT NULL mapped FROM "Record" WHERE "connectorId" = $1 ORDER BY "vendorKey"`, [connectorId]);
  const findings = await t.sql(`
    SELECT r."vendorKey" k, f."uniqueIdFromTool" u, f.active, f."isMitigated" m, f.severity s, f.title
      FROM "Finding" f JOIN "Test" te ON te.id = f."testId" JOIN "Engagement" e ON e.id = te."engagementId"
      JOIN "Record" r ON r."productId" = e."productId" AND r."connectorId" = te."connectorId"
     WHERE te."connectorId" = $1 ORDER BY 1, 2`, [connectorId]);
  return { recs: recs.map((r) => ({ ...r, name: r.name })), findings };
}

/** the worker process running the operation job now, if any */
async function holder(): Promise<ServerProcess | undefined> {
  for (const w of workers) {
    const n = await metricSum(w.url, 'tributary_jobs_running', { task: 'run_operation' }).catch(() => 0);
    if (n > 0) return w;
  }
  return undefined;
}

it(`${KILLS} SIGKILLs of a worker mid-discover and mid-sync leave exactly the result of an uninterrupted run`, async () => {
  setVendorState(0);
  const ref = await createConnector(t, { ...fakes[0]!, url: proxies[0]!.url }, { name: 'Reference', autoMap: true });
  const vic = await createConnector(t, { ...fakes[1]!, url: proxies[1]!.url }, { name: 'Victim', autoMap: true });
  const refId = rowId(ref.id);
  const vicId = rowId(vic.id);

  const landed: Record<string, number> = {};
  let kills = 0;
  let missed = 0;
  let round = 0;
  const deadline = Date.now() + Math.max(150_000, KILLS * 15_000);
  while (kills < KILLS) {
    if (Date.now() > deadline) throw new Error(`only ${kills} of ${KILLS} kills landed in time (${missed} missed)`);
    // the first round discovers; after that two syncs for every discover, the vendor moving on each discover
    const type = round === 0 || round % 3 === 0 ? 'DISCOVER' : 'SYNC';
    if (type === 'DISCOVER') setVendorState(round);
    else for (const fake of fakes) for (const key of KEYS) fake.setFindings(key, findingsOf(round, key));

    const refOp = await finished(await start(ref.id, type));
    expect(refOp, `reference ${type} of round ${round}`).toMatchObject({ status: 'SUCCEEDED', error: null });

    const opId = await start(vic.id, type);
    // a random point: a random share of the reference's duration, or a random amount of progress
    const byProgress = Math.random() < 0.5;
    const target = Math.random();
    if (byProgress && type === 'DISCOVER') {
      // the narrowest window: the records are reconciled and committed, the operation not yet finished
      await waitFor(async () => {
        const [op] = await t.sql(`SELECT status, progress ? 'reconciled' done FROM "Operation" WHERE id = $1`, [opId]);
        return !op || op.status !== 'RUNNING' || op.done;
      }, 'the discover to reconcile', 30_000);
    } else if (byProgress) {
      const want = Math.floor(target * 4 * PER_PROJECT * 0.9);
      await waitFor(async () => {
        const [op] = await t.sql(`SELECT status, (progress->>'findings')::int findings FROM "Operation" WHERE id = $1`, [opId]);
        return !op || op.status !== 'RUNNING' || (op.findings ?? 0) >= want;
      }, 'the sync to progress', 30_000);
    } else {
      await waitFor(async () => (await t.sql(`SELECT 1 FROM "Operation" WHERE id = $1 AND status <> 'PENDING'`, [opId])).length, 'the operation to start', 30_000);
      await sleep(target * refOp.durationMs * 1.1);
    }
    const victim = await holder();
    const [before] = await t.sql(`SELECT status, progress, (SELECT count(*)::int FROM "TestImport" WHERE "operationId" = $1) imports FROM "Operation" WHERE id = $1`, [opId]);
    if (victim && before.status === 'RUNNING') {
      process.kill(victim.pid, 'SIGKILL');
      await victim.exited;
      workers = workers.filter((w) => w !== victim);
      kills++;
      const phase = type === 'DISCOVER' ? (before.progress?.reconciled ? 'discover after its reconcile committed' : 'discover listing') : before.imports > 0 ? `sync after ${before.imports} of 4 commits` : (before.progress?.findings ?? 0) > 0 ? 'sync fetching/staging the first project' : 'sync starting';
      landed[phase] = (landed[phase] ?? 0) + 1;
      // a fresh process replaces it while the survivor notices the dead one and reruns the job
      void addWorker();
    } else {
      missed++;
    }

    const vicOp = await finished(opId, 90_000);
    expect(vicOp, `victim ${type} of round ${round}`).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(vicOp.stats, `stats of round ${round}`).toEqual(refOp.stats);
    const [a, b] = [await snapshot(refId), await snapshot(vicId)];
    expect(b.recs, `records after round ${round}`).toEqual(a.recs);
    expect(b.findings.length, `findings after round ${round}`).toBe(a.findings.length);
    expect(b.findings, `findings after round ${round}`).toEqual(a.findings);
    if (type === 'SYNC') {
      const imports = await t.sql<{ n: number }>(`SELECT count(*)::int n FROM "TestImport" WHERE "operationId" = $1 GROUP BY "testId"`, [opId]);
      expect(imports.map((r) => r.n), `TestImports of round ${round}`).toEqual(Array(refOp.stats.recordsSynced).fill(1));
    }
    const doubled = await t.sql(`SELECT "testId", "uniqueIdFromTool", count(*) FROM "Finding" GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(doubled).toEqual([]);
    round++;
  }
  // the last replacements are up before the final check, so nothing is counted twice in flight
  await waitFor(() => workers.length >= 2, 'replacement workers', 60_000);
  const open = await t.sql(`SELECT id, status FROM "Operation" WHERE status IN ('PENDING', 'RUNNING')`);
  expect(open).toEqual([]);
  console.log(`[worker-kills] ${kills} kills landed in ${round} rounds (${missed} rounds finished before the kill): ${JSON.stringify(landed)}`);
}, 600_000);
