// `pnpm bench:soak [--minutes=10] [--connectors=50] [--subscribers=500] [--reads=15]`: the load soak.
// One API and one worker process on an embedded PostgreSQL, everything on loopback: N connectors
// (SonarQube and DefectDojo fakes in turn, autoMap on, discover and sync every minute) whose tools
// change after every sync; M graphql-ws subscribers connected throughout; a steady GraphQL read load
// as a user with a global Reader role. It checks what a long run breaks: memory (RSS every 10 s;
// judged flat or not at rest after a forced GC, soak/memory.ts and soak/report.ts), errors of every
// kind, schedules that did not fire (soak/schedules.ts says exactly what counts), operations that
// failed or never finished, and live events lost. Exits 1 if any of them is found. `--minutes=2`
// while developing; Ctrl-C stops the processes and removes the database.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { CREATE_CONNECTOR, CREATE_USER, UPDATE_CONNECTOR } from '../support/documents.ts';
import { gid, rowId } from '../support/graphql.ts';
import { spawnServer } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { openInspector } from './soak/inspector.ts';
import { startMemorySampler } from './soak/memory.ts';
import { startReadLoad } from './soak/reads.ts';
import { printSummary } from './soak/report.ts';
import { armedSchedules, checkSchedules, tickedPast } from './soak/schedules.ts';
import { openSubscribers } from './soak/subscribers.ts';
import { closeVendors, startGenerations, startVendors, type Vendor } from './soak/vendors.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const MINUTES = arg('minutes', 10);
const CONNECTORS = arg('connectors', 50);
const SUBSCRIBERS = arg('subscribers', 500);
const READS_PER_SECOND = arg('reads', 15);
const SAMPLE_EVERY_MS = 10_000;
/** memory at rest is measured this far into a schedule minute, once no operation is waiting or running and at most 2 reads are (at most REST_WAIT_MS later) */
const REST_AT_MS = 50_000;
const REST_WAIT_MS = 8_000;
const EVERY_MINUTE = '* * * * *';
const READER = { email: 'reader@example.com', password: 'soak reader password' };
const PRODUCT_IDS = 'query($after: String) { products(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';
const PERSONAL_ALERTS = 'mutation { updateNotificationSettings(input: { scope: PERSONAL, events: [{ event: "scan_added", methods: [ALERT] }] }) { settings { scope } } }';

/** what was started, stopped in reverse order: at the end, on an error, or on Ctrl-C */
const started: Array<() => Promise<unknown>> = [];
let stopping: Promise<void> | null = null;
const stopAll = () => (stopping ??= (async () => { for (const stop of started.reverse()) await stop().catch(() => {}); })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

async function main(): Promise<number> {
  const work = path.resolve(import.meta.dirname, '..', '.data', `bench-soak-${process.pid}`);
  await mkdir(work, { recursive: true });
  started.push(() => rm(work, { recursive: true, force: true }));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  started.push(() => postgres.stop());
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  started.push(() => db.end());
  const vendors = await startVendors(CONNECTORS);
  started.push(() => closeVendors(vendors));

  // warn: an operation that fails is logged as a warning; the inspector measures retained memory
  // (soak/inspector.ts). The API process migrates, the worker starts after it.
  const [apiInspector, workerInspector] = [await freePort(), await freePort()];
  const api = await spawnServer('api', postgres.url, { LOG_LEVEL: 'warn', NODE_OPTIONS: `--inspect=127.0.0.1:${apiInspector}` });
  started.push(() => api.stop());
  const worker = await spawnServer('worker', postgres.url, { LOG_LEVEL: 'warn', NODE_OPTIONS: `--inspect=127.0.0.1:${workerInspector}` });
  started.push(() => worker.stop());
  const inspectors = { api: await openInspector(apiInspector), worker: await openInspector(workerInspector) };
  started.push(async () => { inspectors.api.close(); inspectors.worker.close(); });
  const exited: string[] = [];
  for (const [name, p] of [['api', api], ['worker', worker]] as const) void p.exited.then((code) => { if (!stopping) exited.push(`${name} (${code})`); });
  const admin = await api.login();
  await api.ok(CREATE_USER, { i: { ...READER, name: 'Soak Reader', globalRole: 'READER' } }, admin);
  const reader = await api.login(READER.email, READER.password);
  await api.ok(PERSONAL_ALERTS, {}, reader);

  const connectorIds: string[] = [];
  const vendorOf = new Map<number, Vendor>();
  for (const [i, vendor] of vendors.entries()) {
    const { fake } = vendor;
    const input = { name: `soak ${i} (${fake.kind})`, kind: fake.kind, url: fake.url, secret: fake.token, options: fake.options, autoMap: true, discoverSchedule: EVERY_MINUTE, syncSchedule: EVERY_MINUTE };
    const id: string = (await api.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id;
    connectorIds.push(id);
    vendorOf.set(rowId(id), vendor);
  }
  const generations = startGenerations(db, vendorOf);
  started.push(() => generations.stop());
  console.log(`soak: ${CONNECTORS} connectors (discover and sync every minute), ${SUBSCRIBERS} subscribers, ${READS_PER_SECOND} reads/s for ${MINUTES} min`);
  const subscribers = await openSubscribers(api, reader, SUBSCRIBERS, connectorIds);
  started.push(() => subscribers.close());
  const subscribedAt = Date.now();
  // the first tick after a connector is created only sets its next run times (the next minute)
  const first = await waitFor(() => armedSchedules(db), 'the first schedule tick', 90_000);
  const firstSlot = Math.min(...[...first.values()].flatMap((s) => [s.DISCOVER, s.SYNC]));
  // the first slot's syncs import everything; the products they map are what the reads page through
  await waitFor(async () => (await db.query(`SELECT count(DISTINCT "connectorId")::int n FROM "Operation" WHERE type = 'SYNC' AND status IN ('SUCCEEDED', 'FAILED')`)).rows[0].n === CONNECTORS,
    'the first scheduled syncs', 180_000);
  const productIds: string[] = [];
  for (let after: string | null = null; ;) {
    const page: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = (await api.ok(PRODUCT_IDS, { after }, reader)).products;
    productIds.push(...page.nodes.map((p) => p.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }

  // the run's minutes start 50 s into a schedule minute: each minute's operations have had time to
  // finish, so memory measured at its end is measured at rest, at the same point of every minute
  const t0 = firstSlot + Math.ceil((Date.now() - firstSlot - REST_AT_MS) / 60_000) * 60_000 + REST_AT_MS;
  await sleep(t0 - Date.now());
  console.log(`load from ${new Date(t0).toISOString()} (first scheduled slot ${new Date(firstSlot).toISOString()}), reading ${productIds.length} products`);
  const memory = startMemorySampler([
    { name: 'api', pid: api.pid, url: api.url, inspector: inspectors.api },
    { name: 'worker', pid: worker.pid, url: worker.url, inspector: inspectors.worker },
    { name: 'bench', pid: process.pid },
  ], t0, SAMPLE_EVERY_MS);
  let unanswered = () => 0;
  const atRest = async () => {
    await waitFor(async () => unanswered() <= 2
      && (await db.query(`SELECT count(*)::int n FROM "Operation" WHERE status IN ('PENDING', 'RUNNING')`)).rows[0].n === 0, 'rest', REST_WAIT_MS).catch(() => {});
    await memory.measureAtRest();
  };
  await atRest();
  const reads = startReadLoad(api.url, reader, READS_PER_SECOND, productIds, t0);
  unanswered = reads.inFlight;
  for (let m = 1; m <= MINUTES; m++) {
    await sleep(t0 + m * 60_000 - Date.now());
    await atRest();
    const events = subscribers.events.operations + subscribers.events.records + subscribers.events.alerts;
    console.log(`  minute ${m}: ${events.toLocaleString('en')} events delivered, ${subscribers.closes.length} websocket closes, API RSS ${memory.last('api').toFixed(0)} MB, worker ${memory.last('worker').toFixed(0)} MB`);
  }
  const readStats = await reads.stop();
  const { samples, atRest: rest } = memory.stop();

  // the tick of the run's last minute, then no more: what is queued drains
  const lastSlot = Math.floor(Date.now() / 60_000) * 60_000;
  await waitFor(() => tickedPast(db, lastSlot), `the tick of ${new Date(lastSlot).toISOString()}`, 90_000).catch(() => {});
  for (const id of connectorIds) await api.ok(UPDATE_CONNECTOR, { i: { id, discoverSchedule: '', syncSchedule: '' } }, admin);
  const drainStart = Date.now();
  await waitFor(async () => (await db.query(`SELECT count(*)::int n FROM "Operation" WHERE status IN ('PENDING', 'RUNNING')`)).rows[0].n === 0, 'the queue to drain', 180_000).catch(() => {});
  const drainMs = Date.now() - drainStart;
  // the last NOTIFYs reach the subscribers
  await sleep(3_000);

  const schedules = await checkSchedules(db, first, lastSlot);
  const operations = (await db.query(`SELECT type, status, count(*)::int n,
      sum((stats->>'findingsNew')::int)::int new, sum((stats->>'findingsClosed')::int)::int closed, sum((stats->>'findingsReactivated')::int)::int reactivated
    FROM "Operation" GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
  const failures = (await db.query(`SELECT error, count(*)::int n FROM "Operation" WHERE status = 'FAILED' GROUP BY 1 ORDER BY 2 DESC LIMIT 5`)).rows;
  // every operation that started once all subscribers were listening must have reached each of them finished
  const finished = (await db.query(`SELECT id, "connectorId" FROM "Operation" WHERE status IN ('SUCCEEDED', 'FAILED') AND "startedAt" > to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC'`, [subscribedAt])).rows;
  let finishesLost = 0;
  for (const op of finished) {
    const expected = subscribers.allOperations + (subscribers.perConnector.get(gid('Connector', op.connectorId)) ?? 0);
    finishesLost += Math.max(0, expected - (subscribers.finishedSeenBy.get(gid('Operation', op.id)) ?? 0));
  }
  return printSummary({
    minutes: MINUTES, connectors: CONNECTORS, subscribers, reads: readStats, samples, atRest: rest, schedules, operations, failures, drainMs,
    finishedWatched: finished.length, finishesLost, logs: { api: api.output(), worker: worker.output() }, exited,
  });
}

try {
  process.exitCode = await main();
} finally {
  await stopAll();
}
