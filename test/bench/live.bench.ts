// `pnpm bench:live [--subscribers=1000] [--changes=60] [--interval=200]`: one API and one worker
// process on an embedded PostgreSQL; a separate writer process changes operations (insert PENDING,
// RUNNING, progress steps, SUCCEEDED), each change committed on its own and stamped with the time
// just before it was sent; N graphql-ws subscribers to operationChanged record when each change
// arrives. Prints commit→client latency (p50/p99/max) with 1 subscriber and with N, and the API
// process's RSS per idle subscription. Targets (2 cores): p99 < 250 ms at 1,000 subscribers,
// < 50 KB per idle subscription.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { spawnServer, until, sleep, wsClient, type ServerProcess } from '../live/processes.ts';

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
    const api = await spawnServer('api', postgres.url);
    processes.push(api, await spawnServer('worker', postgres.url));
    const token = await api.login();
    const created = await api.gql(`mutation($i: CreateConnectorInput!) { createConnector(input: $i) { connector { id } } }`,
      { i: { name: 'bench', kind: 'sarif-directory', url: '', options: { path: work }, discoverSchedule: null, syncSchedule: null } }, token);
    const connectorGid: string = created.data.createConnector.connector.id;
    const connectorId = Number(Buffer.from(connectorGid, 'base64').toString().split(':')[1]);
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
        await until(async () => (await subscriptions()) === base + closers.length, `${closers.length} subscriptions`, 60_000);
      }
      open.push(...closers);
      return { count: n, close: () => Promise.all(closers.map((c) => c())) };
    };

    // warm-up and baseline: one subscriber
    const single = await openSubscribers(1);
    await measure(postgres.url, connectorId, single, Math.min(CHANGES, 10));
    const baseline = await measure(postgres.url, connectorId, single, CHANGES);
    await single.close();
    await until(async () => (await subscriptions()) === 0, 'no subscriptions');

    await sleep(1_000);
    const rssBefore = vmRssKb(api.pid);
    const many = await openSubscribers(SUBSCRIBERS);
    await sleep(2_000);
    const rssAfter = vmRssKb(api.pid);
    const perSubscriptionKb = (rssAfter - rssBefore) / SUBSCRIBERS;

    // one operation's worth of changes first: the fan-out code is compiled for N, as in steady state
    await measure(postgres.url, connectorId, many, STEPS);
    const loaded = await measure(postgres.url, connectorId, many, CHANGES);
    console.log(`changes: ${CHANGES}, one every ${INTERVAL_MS} ms (operations of ${STEPS} steps), written by a separate process`);
    console.log(`latency commit→client, 1 subscriber:     ${fmt(baseline)}`);
    console.log(`latency commit→client, ${SUBSCRIBERS} subscribers: ${fmt(loaded)} — p99 ×${(loaded.p99 / Math.max(baseline.p99, 1)).toFixed(1)} of 1 subscriber (target p99 < 250 ms)`);
    console.log(`API RSS: ${mb(rssBefore)} MB → ${mb(rssAfter)} MB with ${SUBSCRIBERS} idle subscriptions = ${perSubscriptionKb.toFixed(1)} KB each (target < 50 KB)`);
  } finally {
    await Promise.all(open.map((close) => close().catch(() => {})));
    await Promise.all(processes.map((p) => p.stop()));
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
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
  await until(() => latencies.length >= expected, 'every delivery', 60_000).catch(() => {});
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

function vmRssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, ''));
}

const mb = (kb: number) => (kb / 1024).toFixed(1);
const fmt = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.delivered}/${l.expected} delivered)`;

if (process.argv.includes('--writer')) await writer(process.argv.find((a) => a.startsWith('--db='))!.slice(5), arg('connector', 0));
else await main();
