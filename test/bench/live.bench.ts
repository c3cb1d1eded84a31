// `pnpm bench:live [--subscribers=1000] [--changes=60] [--interval=200]`: one API and one worker
// process on an embedded PostgreSQL; a separate writer process changes operations (insert PENDING,
// RUNNING, progress steps, SUCCEEDED), each change committed on its own and stamped with the time
// just before it was sent; N graphql-ws subscribers to operationChanged record when each change
// arrives. Prints commit→client latency (p50/p99/max) with 1 subscriber and with N, and the API
// process's memory per idle subscription (JS heap + external after a full GC). Targets (2 cores): p99 < 250 ms at 1,000 subscribers,
// < 50 KB per idle subscription.
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { freePort, startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { CREATE_CONNECTOR } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { spawnServer, wsClient, type ServerProcess } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SUBSCRIBERS = arg('subscribers', 1000);
const CHANGES = arg('changes', 60);
const INTERVAL_MS = arg('interval', 200);
/** one operation's life: PENDING, RUNNING, three progress steps, SUCCEEDED */
const STEPS = 6;
const QUERY = 'subscription($c: ID) { operationChanged(connectorId: $c) { id status progress } }';

async function main() {
  const work = path.resolve(import.meta.dirname, '..', '.data', `bench-live-${process.pid}`);
  await mkdir(work, { recursive: true });
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  const processes: ServerProcess[] = [];
  const open: Array<() => Promise<void>> = [];
  try {
    // the API process migrates; the worker starts after it
    // the inspector lets the bench ask the API process for a full GC before reading its memory, so
    // the figure is what subscriptions retain, not garbage their subscribe calls left behind: raw
    // RSS deltas of the same code read 13 to 62 KB per subscription from run to run
    const inspectorPort = await freePort();
    const api = await spawnServer('api', postgres.url, { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}`, TRIBUTARY_SARIF_ROOT: work });
    processes.push(api, await spawnServer('worker', postgres.url, { TRIBUTARY_SARIF_ROOT: work }));
    const token = await api.login();
    const input = { name: 'bench', kind: 'sarif-directory', url: '', options: { path: work }, discoverSchedule: null, syncSchedule: null };
    const connectorGid: string = (await api.ok(CREATE_CONNECTOR, { i: input }, token)).createConnector.connector.id;
    const connectorId = rowId(connectorGid);
    const subscriptions = () => api.metric('tributary_live_subscriptions');
    /** opens n subscribers, each on its own websocket; resolves with a function closing them */
    const openSubscribers = async (n: number) => {
      const closers: Array<() => Promise<void>> = [];
      const base = await subscriptions();
      // 100 at a time: each subscribe reads the token, the viewer and the connector
      for (let i = 0; i < n; i += 100) {
        for (let j = i; j < Math.min(n, i + 100); j++) {
          const client = wsClient(api.url, { authorization: `Bearer ${token}` });
          const unsubscribe = client.subscribe<{ operationChanged: { progress: { stampedAt: number } } }>({ query: QUERY, variables: { c: connectorGid } }, {
            next: (m) => onDelivery(m.data!.operationChanged.progress.stampedAt),
            error: (e) => console.error('subscription error', e),
            complete: () => {},
          });
          closers.push(async () => { unsubscribe(); await client.dispose(); });
        }
        await waitFor(async () => (await subscriptions()) === base + closers.length, `${closers.length} subscriptions`, 60_000);
      }
      open.push(...closers);
      return { count: n, close: () => Promise.all(closers.map((c) => c())) };
    };

    // warm-up and baseline: one subscriber
    const single = await openSubscribers(1);
    await measure(postgres.url, connectorId, single, Math.min(CHANGES, 10));
    const baseline = await measure(postgres.url, connectorId, single, CHANGES);
    await single.close();
    await waitFor(async () => (await subscriptions()) === 0, 'no subscriptions');

    await sleep(1_000);
    const before = await memoryAfterGc(inspectorPort);
    const many = await openSubscribers(SUBSCRIBERS);
    await sleep(2_000);
    const after = await memoryAfterGc(inspectorPort);
    const retainedKb = (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / SUBSCRIBERS;

    // one operation's worth of changes first: the fan-out code is compiled for N, as in steady state
    await measure(postgres.url, connectorId, many, STEPS);
    const loaded = await measure(postgres.url, connectorId, many, CHANGES);
    console.log(`changes: ${CHANGES}, one every ${INTERVAL_MS} ms (operations of ${STEPS} steps), written by a separate process`);
    console.log(`latency commit→client, 1 subscriber:     ${fmt(baseline)}`);
    console.log(`latency commit→client, ${SUBSCRIBERS} subscribers: ${fmt(loaded)} — p99 ×${(loaded.p99 / Math.max(baseline.p99, 1)).toFixed(1)} of 1 subscriber (target p99 < 250 ms)`);
    console.log(`API memory per idle subscription after a full GC: ${retainedKb.toFixed(1)} KB of JS heap + external (target < 50 KB); process RSS ${(after.rss / 2 ** 20).toFixed(1)} MB`);
  } finally {
    await Promise.all(open.map((close) => close().catch(() => {})));
    await Promise.all(processes.map((p) => p.stop()));
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The API process's memory after a full garbage collection, through its inspector:
 * HeapProfiler.collectGarbage, then process.memoryUsage() evaluated inside it.
 */
async function memoryAfterGc(port: number): Promise<{ heapUsed: number; external: number; rss: number }> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const replies = new Map<number, (result: any) => void>();
  ws.on('message', (m) => { const msg = JSON.parse(String(m)); replies.get(msg.id)?.(msg.result); });
  const call = (id: number, method: string, params: object = {}) => new Promise<any>((resolve) => { replies.set(id, resolve); ws.send(JSON.stringify({ id, method, params })); });
  await call(1, 'HeapProfiler.collectGarbage');
  await sleep(500);
  const r = await call(2, 'Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
  ws.close();
  return JSON.parse(r.result.value);
}

interface Latency { p50: number; p99: number; max: number; delivered: number; expected: number }

let onDelivery: (stampedAt: number) => void = () => {};

/** runs the writer and collects the latency of every change it writes at every subscriber */
async function measure(databaseUrl: string, connectorId: number, subs: { count: number }, changes: number): Promise<Latency> {
  const latencies: number[] = [];
  const started = Date.now();
  // stamps from before this run belong to a previous writer
  onDelivery = (stampedAt) => { if (stampedAt >= started) latencies.push(Date.now() - stampedAt); };
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--writer', `--db=${databaseUrl}`,
    `--connector=${connectorId}`, `--changes=${changes}`, `--interval=${INTERVAL_MS}`], { stdio: 'inherit' });
  await new Promise((r) => child.once('exit', r));
  const expected = subs.count * changes;
  await waitFor(() => latencies.length >= expected, 'every delivery', 60_000).catch(() => {});
  onDelivery = () => {};
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN, delivered: latencies.length, expected };
}

/** the writer process: `changes` committed changes, one every INTERVAL_MS, each stamped just before it is sent */
async function writer(databaseUrl: string, connectorId: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let id = 0;
  for (let seq = 0; seq < CHANGES; seq++) {
    const step = seq % STEPS;
    const stamp = JSON.stringify({ seq, stampedAt: Date.now() });
    if (step === 0) {
      id = (await client.query(`INSERT INTO "Operation" ("connectorId", type, trigger, progress) VALUES ($1, 'DISCOVER', 'SCHEDULED', $2) RETURNING id`, [connectorId, stamp])).rows[0].id;
    } else {
      const status = step === 1 ? 'RUNNING' : step === STEPS - 1 ? 'SUCCEEDED' : 'RUNNING';
      await client.query(`UPDATE "Operation" SET status = $2, progress = $3 WHERE id = $1`, [id, status, stamp]);
    }
    await sleep(INTERVAL_MS);
  }
  await client.end();
}

const fmt = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.delivered}/${l.expected} delivered)`;

if (process.argv.includes('--writer')) await writer(process.argv.find((a) => a.startsWith('--db='))!.slice(5), arg('connector', 0));
else await main();
