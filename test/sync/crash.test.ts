// kill -9 of a worker in the middle of a sync, then a fresh worker: the sync finishes with exactly
// the result of an uninterrupted run — no duplicate findings, nothing closed that should be open.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { createConnector, discover, records, startDiscoverApp, waitFinished, type DiscoverApp } from '../support/connectors.ts';
import { RUN_SYNC } from '../support/documents.ts';
import { spawnServer, type ServerProcess } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

// 3 projects × 15,000 findings: about a second of reimport each, so the kill lands mid-sync
const PER_PROJECT = 15_000;
const PROJECTS = ['alpha', 'beta', 'gamma'];

let t: DiscoverApp;
let fake: SarifDirectoryFake;
const workers: ServerProcess[] = [];

beforeAll(async () => {
  t = await startDiscoverApp({ role: 'api' });
  fake = await startSarifDirectoryFake();
  fake.setProjects(PROJECTS.map((key) => ({ key, name: key })));
  for (const key of PROJECTS) {
    fake.setFindings(key, Array.from({ length: PER_PROJECT }, (_, i): FakeFinding => ({
      id: `${key}-${i}`, title: `Rule ${i % 40} in ${key}`, severity: (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)[i % 4], filePath: `src/${i % 300}.ts`, line: i,
    })));
  }
});
afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => {});
  await fake?.close();
  await t?.stop();
});

it('a sync killed with SIGKILL mid-way is finished by another worker with the uninterrupted result', async () => {
  const first = await spawnServer('worker', t.databaseUrl);
  workers.push(first);
  const c = await createConnector(t, fake, { name: 'Crashy', autoMap: true });
  await discover(t, c.id);
  expect((await records(t, c.id)).map((r) => r.state)).toEqual(['GOOD', 'GOOD', 'GOOD']);

  const started = await t.ok(RUN_SYNC, { c: c.id });
  const opId = started.runSync.operation.id;
  // kill as soon as findings are streaming: the first project's transaction is open, and most of
  // the work (three projects, ~1 s each) is still ahead, so the kill never lands after the end
  await waitFor(async () => {
    const [row] = await t.sql<{ findings: number }>(`SELECT (progress->>'findings')::int findings FROM "Operation" WHERE status = 'RUNNING'`);
    return row && row.findings > 0;
  }, 'the sync to be streaming', 60_000);
  process.kill(first.pid, 'SIGKILL');
  const [mid] = await t.sql('SELECT status FROM "Operation" WHERE id = (SELECT max(id) FROM "Operation")');
  expect(mid.status).toBe('RUNNING');
  const half = await t.sql<{ n: number }>('SELECT count(*)::int n FROM "Finding"');
  expect(half[0]!.n % PER_PROJECT).toBe(0); // only whole projects: the interrupted one rolled back

  workers.push(await spawnServer('worker', t.databaseUrl));
  // the dead worker's job is released once its heartbeat is 15 s stale (jobs/heartbeat.ts), then rerun:
  // ~20 s on an idle machine, so 20 s (the default) failed about one run in three under load
  const op = await waitFinished(t, opId, 90_000);
  expect(op.status).toBe('SUCCEEDED');
  expect(op.stats).toMatchObject({ recordsSynced: 3, findingsNew: 3 * PER_PROJECT, findingsClosed: 0, findingsReactivated: 0 });

  const [totals] = await t.sql<{ n: number; active: number; distinct: number }>(`SELECT count(*)::int n, count(*) FILTER (WHERE active)::int active,
    count(DISTINCT (service, "uniqueIdFromTool"))::int "distinct" FROM "Finding"`);
  expect(totals).toEqual({ n: 3 * PER_PROJECT, active: 3 * PER_PROJECT, distinct: 3 * PER_PROJECT });
  const imports = await t.sql<{ n: number }>('SELECT count(*)::int n FROM "TestImport" GROUP BY "testId"');
  expect(imports.map((r) => r.n)).toEqual([1, 1, 1]);
}, 180_000);
