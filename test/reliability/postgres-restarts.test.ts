// PostgreSQL restarts: a database of its own (embedded, stopped and started again on the same port
// and data directory) under an API process, a worker process and three subscribers, restarted in the
// middle of a sync, a discover and a webhook delivery (RELIABILITY_RESTARTS rounds of the three: 1
// in `pnpm test`). Neither process is restarted: each operation finishes or fails cleanly and the
// next one succeeds, no operation stays PENDING or RUNNING, every delivery is sent and none is DEAD,
// and every subscriber ends up with each operation's final status.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMigrations } from 'graphile-worker';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { applyMigrations } from '@tributary/server/db/migrate.ts';
import { createPool, freePort, startEmbeddedPostgres, type PostgresHandle } from '@tributary/server/db/postgres.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { CREATE_CONNECTOR, RUN_DISCOVER, RUN_SYNC } from '../support/documents.ts';
import { spawnServer, type ServerProcess } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { rowId, setting, startLatencyProxy, type LatencyProxy } from './support.ts';

const ROUNDS = setting('RESTARTS', 1);
const DOWN_MS = 1_500;

const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tributary-restart-')), 'pg');
let port: number;
let pgHandle: PostgresHandle;
let api: ServerProcess;
let worker: ServerProcess;
let fake: SonarqubeFake;
let proxy: LatencyProxy;
let rx: WebhookReceiver;
let token: string;
let connectorId: string;
const clients: Client[] = [];
/** each subscriber's last status per operation id */
const seen: Array<Map<string, string>> = [];
let restarts = 0;
/** a process that ended (it must not: each recovers on its own), with its code */
const exits: string[] = [];

/** each process's last output, for a failure to say why */
function outputs(): string {
  return [['worker', worker], ['api', api]].map(([role, p]) => `${role} said:\n${(p as ServerProcess | undefined)?.output().slice(-6000) ?? ''}`).join('\n');
}

async function restartPostgres(): Promise<void> {
  await pgHandle.stop();
  await sleep(DOWN_MS);
  pgHandle = await startEmbeddedPostgres({ dataDir, database: 'tributary', port });
  restarts++;
}

async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const pool = createPool(pgHandle.url, 1);
  try { return (await pool.query(text, params)).rows as T[]; } finally { await pool.end(); }
}

async function finished(opId: string, timeoutMs = 90_000): Promise<{ status: string; error: string | null }> {
  return waitFor(async () => {
    const r = await api.gql<any>('query($id: ID!) { node(id: $id) { ... on Operation { status error } } }', { id: opId }, token).catch(() => null);
    const op = r?.data?.node;
    // a process gone will not finish it: say so now rather than after the timeout
    if (exits.length) throw new Error(exits.join('; '));
    return op && (op.status === 'SUCCEEDED' || op.status === 'FAILED') ? op : null;
  }, `operation ${opId} to finish`, timeoutMs);
}

async function start(type: 'DISCOVER' | 'SYNC'): Promise<string> {
  const data = await api.ok(type === 'DISCOVER' ? RUN_DISCOVER : RUN_SYNC, { c: connectorId }, token);
  return (type === 'DISCOVER' ? data.runDiscover : data.runSync).operation.id;
}

beforeAll(async () => {
  port = await freePort();
  pgHandle = await startEmbeddedPostgres({ dataDir, database: 'tributary', port });
  const pool = createPool(pgHandle.url, 2);
  await applyMigrations(pool);
  await runMigrations({ pgPool: pool });
  await pool.end();
  const env = { TRIBUTARY_WORKER_STALE_MS: '2000', TRIBUTARY_DELIVERY_BACKOFF_MS: '200' };
  [api, worker] = await Promise.all([spawnServer('api', pgHandle.url, env), spawnServer('worker', pgHandle.url, env)]);
  for (const [role, p] of [['api', api], ['worker', worker]] as const) void p.exited.then((code) => exits.push(`the ${role} process exited (${code})`));
  token = await api.login();

  fake = await startSonarqubeFake();
  fake.setPageSizeCap(50);
  fake.setProjects(['p0', 'p1', 'p2'].map((key) => ({ key, name: `Restart ${key}` })));
  for (const key of ['p0', 'p1', 'p2']) {
    fake.setFindings(key, Array.from({ length: 600 }, (_, i): FakeFinding => ({ id: `${key}-${i}`, title: `Rule ${i % 20}`, severity: 'HIGH', filePath: `a/${i}.ts`, line: i })));
  }
  proxy = await startLatencyProxy(fake.url, 15);
  connectorId = (await api.ok(CREATE_CONNECTOR, {
    i: { name: 'Restarted', kind: fake.kind, url: proxy.url, secret: fake.token, options: fake.options, autoMap: true, discoverSchedule: '', syncSchedule: '' },
  }, token)).createConnector.connector.id;

  rx = await startWebhookReceiver();
  await api.ok('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }', { i: { name: 'SIEM', url: `${rx.url}/in` } }, token);
  await api.ok('mutation { updateSystemSettings(input: { enableWebhooks: true }) { settings { enableWebhooks } } }', {}, token);
  await api.ok('mutation { updateNotificationSettings(input: { scope: SYSTEM, events: [{ event: "scan_added", methods: [WEBHOOKS] }, { event: "record_new", methods: [WEBHOOKS] }] }) { settings { scope } } }', {}, token);

  for (let i = 0; i < 3; i++) {
    const map = new Map<string, string>();
    seen.push(map);
    const client = createClient({
      url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 1_000, shouldRetry: () => true, retryWait: async () => { await sleep(200); },
    });
    clients.push(client);
    client.subscribe<any>({ query: 'subscription($c: ID) { operationChanged(connectorId: $c) { id status } }', variables: { c: connectorId } }, {
      next: (m) => { const op = m.data?.operationChanged; if (op) map.set(op.id, op.status); },
      error: () => {},
      complete: () => {},
    });
  }
  await waitFor(async () => (await fetch(`${api.url}/metrics`).then((r) => r.text())).includes('tributary_live_subscriptions 3'), 'three subscriptions');
}, 180_000);

afterAll(async () => {
  exits.push('stopping'); // from here on an exit is ours
  for (const c of clients) await c.dispose();
  await api?.stop();
  await worker?.stop();
  await proxy?.close();
  await fake?.close();
  await rx?.close();
  await pgHandle?.stop();
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

it(`recovers from ${ROUNDS * 3} PostgreSQL restarts during a sync, a discover and a delivery without restarting a process`, async () => {
  // the processes' last output goes with any failure: an unhandled rejection is logged with its stack
  onTestFailed(() => { console.error(outputs()); });
  const outcomes: string[] = [];
  const first = await finished(await start('DISCOVER'));
  expect(first.status).toBe('SUCCEEDED');

  for (let round = 0; round < ROUNDS; round++) {
    // during a sync: the findings are streaming
    const sync = await start('SYNC');
    await waitFor(async () => {
      const [op] = await sql(`SELECT status, (progress->>'findings')::int findings FROM "Operation" WHERE id = $1`, [rowId(sync)]);
      return op && (op.status !== 'RUNNING' || op.findings > 0);
    }, 'the sync to stream', 60_000);
    await restartPostgres();
    const s = await finished(sync);
    outcomes.push(`sync ${s.status}${s.error ? `: ${s.error}` : ''}`);
    if (s.status === 'FAILED') expect(s.error).toBeTruthy();
    expect((await finished(await start('SYNC'))).status, 'the sync after the restart').toBe('SUCCEEDED');

    // during a discover: PostgreSQL goes as soon as it is queued
    fake.setProjects(['p0', 'p1', 'p2', `n${round}`].map((key) => ({ key, name: `Restart ${key}` })));
    const disc = await start('DISCOVER');
    await restartPostgres();
    const d = await finished(disc);
    outcomes.push(`discover ${d.status}${d.error ? `: ${d.error}` : ''}`);
    if (d.status === 'FAILED') expect(d.error).toBeTruthy();
    expect((await finished(await start('DISCOVER'))).status, 'the discover after the restart').toBe('SUCCEEDED');

    // during a delivery: the receiver holds the request while PostgreSQL restarts, then answers
    const before = rx.requests.length;
    rx.hang();
    fake.setFindings('p0', Array.from({ length: 610 + round }, (_, i): FakeFinding => ({ id: `p0-${i}`, title: `Rule ${i % 20}`, severity: 'HIGH', filePath: `a/${i}.ts`, line: i })));
    expect((await finished(await start('SYNC'))).status).toBe('SUCCEEDED');
    await waitFor(() => rx.requests.length > before, 'a delivery in flight', 60_000);
    await restartPostgres();
    rx.recover();
  }

  // every delivery sent, none dead; the worker kept its runner (it reports ready) and so did the API
  await waitFor(async () => {
    const rows = await sql(`SELECT status, count(*)::int n FROM "Delivery" GROUP BY 1`);
    return rows.length > 0 && rows.every((r) => r.status === 'SENT') ? rows : null;
  }, 'every delivery to be sent', 90_000);
  const deliveryIds = (await sql<{ id: number }>(`SELECT id FROM "Delivery"`)).map((r) => `tributary-delivery-${r.id}`);
  const keys = new Set(rx.requests.map((r) => r.headers['idempotency-key']));
  for (const k of deliveryIds) expect(keys.has(k), `${k} received`).toBe(true);
  expect(await sql(`SELECT id, status FROM "Operation" WHERE status IN ('PENDING', 'RUNNING')`)).toEqual([]);
  expect(exits, 'no process exited').toEqual([]);
  for (const p of [api, worker]) {
    expect(await fetch(`${p.url}/readyz`).then((r) => r.status), `${p.url} ready`).toBe(200);
    expect(p.output()).not.toMatch(/unhandled promise rejection/);
  }
  // every subscriber saw every operation's final status (through the resync after each restart)
  const finals = await sql<{ id: number; status: string }>(`SELECT id, status FROM "Operation" ORDER BY id`);
  await waitFor(() => seen.every((m) => finals.every((op) => [...m.entries()].some(([gid, st]) => rowId(gid) === op.id && st === op.status))), 'subscribers to hold the final states', 30_000);
  const duplicates = rx.requests.length - keys.size;
  console.log(`[postgres-restarts] ${restarts} restarts; outcomes: ${outcomes.join(' | ')}; ${deliveryIds.length} deliveries sent, ${duplicates} repeated sends (same Idempotency-Key)`);
}, 400_000);
