// `pnpm bench:notify`: how long notifications take from the commit that wrote their events to the
// webhook receiver, through the whole outbox — the dispatch_notifications job (NotificationEvent →
// Delivery rows, 50 events per transaction, waking each webhook's job), then that job sending each
// delivery over the guarded HTTP client — on an embedded PostgreSQL, with one API and one worker
// process (TRIBUTARY_WORKER_CONCURRENCY as the worker would have it, 4 by default) and a loopback
// receiver in this process that answers 200 and notes when each Idempotency-Key first arrives.
//
// Setup as an admin would do it, through GraphQL: createWebhook (which pings the receiver),
// updateSystemSettings(enableWebhooks: true), SYSTEM settings scan_added: [WEBHOOKS]. Then, per
// variant, the events are inserted by one statement in ONE transaction; t0 is taken just before its
// COMMIT is sent, and every latency is measured from there, so p50 is about half the run.
//   (1) N events to 1 webhook: its deliveries run one at a time, in order, by design (the endpoint's
//       one job, deliver.ts deliverWebhook) — a sequential pipeline.
//   (2) N/HOOKS events to HOOKS webhooks (HOOKS deliveries each): N deliveries on HOOKS queues, of
//       which the worker runs min(HOOKS, concurrency) at once.
// Each is compared with the same N POSTs (same headers and body size) sent straight to the receiver
// from this process with that concurrency: the floor of HTTP on loopback.
// N=1000 pnpm bench:notify for a quick run; HOOKS=10; VARIANT=1 or 2 runs one of them.
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { spawnServer, type ServerProcess } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';

const N = Number(process.env.N ?? 10_000);
const HOOKS = Number(process.env.HOOKS ?? 10);
const VARIANT = process.env.VARIANT ?? 'all';
const CONCURRENCY = Number(process.env.TRIBUTARY_WORKER_CONCURRENCY ?? 4);
const WARMUP = 20;

const CREATE_WEBHOOK = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }';
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
/** peak RSS of another process (Linux), in KB */
const peakRssKb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

/** A loopback receiver that answers 200 and keeps, per Idempotency-Key, the first arrival time and the body's event_id. */
async function startReceiver() {
  const seen = new Map<string, { at: number; eventId: number }>();
  let duplicates = 0;
  let sample: { headers: Record<string, string>; body: string } | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const body = Buffer.concat(chunks).toString('utf8');
        if (seen.has(key)) duplicates++;
        else seen.set(key, { at, eventId: JSON.parse(body).event_id });
        if (!sample) sample = { headers: { ...req.headers } as Record<string, string>, body };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    get duplicates() { return duplicates; },
    get sample() { return sample; },
    reset() { seen.clear(); duplicates = 0; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

interface Result { events: number; deliveries: number; seconds: number; p50: number; p95: number; max: number; dispatchS: number; baselineS: number; baselineConcurrency: number }

async function main() {
  const work = path.resolve(import.meta.dirname, '..', '.data', `bench-notify-${process.pid}`);
  await mkdir(work, { recursive: true });
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  const rx = await startReceiver();
  const processes: ServerProcess[] = [];
  const db = new pg.Client({ connectionString: postgres.url });
  try {
    // the API process migrates; the worker starts after it
    const api = await spawnServer('api', postgres.url);
    const worker = await spawnServer('worker', postgres.url);
    processes.push(api, worker);
    await db.connect();
    const token = await api.login();
    const hookIds: number[] = [];
    const addWebhook = async () => {
      const id = (await api.ok(CREATE_WEBHOOK, { i: { name: `receiver ${hookIds.length + 1}`, url: `${rx.url}/in/${hookIds.length + 1}` } }, token)).createWebhook.webhook.id;
      hookIds.push(rowId(id));
    };
    await addWebhook();
    await api.ok('mutation { updateSystemSettings(input: { enableWebhooks: true }) { settings { enableWebhooks } } }', {}, token);
    await api.ok('mutation { updateNotificationSettings(input: { scope: SYSTEM, events: [{ event: "scan_added", methods: [WEBHOOKS] }] }) { settings { scope } } }', {}, token);
    const productId = rowId((await api.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, token)).createProduct.product.id);
    const ctx = { db, rx, productId };

    // warm-up: the worker's code paths, its pools and the receiver's connections
    await run(ctx, WARMUP, 1, 1);
    console.log(`Tributary notify bench: ${N.toLocaleString('en')} deliveries per variant; API + worker process (concurrency ${CONCURRENCY}) on an embedded PostgreSQL; ${(await import('node:os')).cpus().length} cores`);
    console.log('events inserted by one statement in one transaction; latency = that COMMIT → the receiver has the request\n');
    const results: Array<[string, Result]> = [];
    if (VARIANT !== '2') {
      const r = await run(ctx, N, 1, 1);
      results.push(['1 webhook', r]);
      report(`(1) ${N.toLocaleString('en')} events → 1 webhook (sequential by design)`, r);
    }
    if (VARIANT !== '1') {
      while (hookIds.length < HOOKS) await addWebhook();
      const events = Math.round(N / HOOKS);
      const parallel = Math.min(HOOKS, CONCURRENCY);
      await run(ctx, WARMUP, HOOKS, parallel);
      const r = await run(ctx, events, HOOKS, parallel);
      results.push([`${HOOKS} webhooks`, r]);
      report(`(2) ${events.toLocaleString('en')} events → ${HOOKS} webhooks (${(events * HOOKS).toLocaleString('en')} deliveries)`, r);
    }
    const byMethod = (await db.query(`SELECT method, status, count(*)::int AS n FROM "Delivery" GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
    console.log(`deliveries in the database: ${byMethod.map((r) => `${r.method}/${r.status} ${r.n}`).join(', ')}; duplicate Idempotency-Keys at the receiver: ${rx.duplicates}`);
    console.log(`peak RSS: bench process (receiver + baseline) ${mb(process.resourceUsage().maxRSS)}, worker process ${mb(peakRssKb(worker.pid))}, API process ${mb(peakRssKb(api.pid))}`);
  } finally {
    await db.end().catch(() => {});
    await Promise.all(processes.map((p) => p.stop()));
    await rx.close();
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function report(title: string, r: Result) {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(title);
  console.log(`  commit → all ${r.deliveries.toLocaleString('en')} delivered and SENT: ${r.seconds.toFixed(2)} s, ${Math.round(r.deliveries / r.seconds).toLocaleString('en')} deliveries/s (${Math.round(r.events / r.seconds).toLocaleString('en')} events/s)`);
  console.log(`  latency commit → receiver: p50 ${s(r.p50)}, p95 ${s(r.p95)}, max ${s(r.max)}`);
  console.log(`  dispatch (every event → Delivery rows + jobs) done ${r.dispatchS.toFixed(2)} s after the commit (${Math.round(r.events / r.dispatchS).toLocaleString('en')} events/s)`);
  console.log(`  baseline, the same ${r.deliveries.toLocaleString('en')} POSTs straight to the receiver, ${r.baselineConcurrency} at a time: ${r.baselineS.toFixed(2)} s, ${Math.round(r.deliveries / r.baselineS).toLocaleString('en')}/s → outbox ×${(r.seconds / r.baselineS).toFixed(1)}\n`);
}

/** Inserts `events` scan_added events in one transaction and waits until the receiver and the Delivery rows have all `events × hooks` of them. */
async function run(ctx: { db: pg.Client; rx: Receiver; productId: number }, events: number, hooks: number, baselineConcurrency: number): Promise<Result> {
  const { db, rx, productId } = ctx;
  rx.reset();
  const expected = events * hooks;
  await db.query('BEGIN');
  const ids: number[] = (await db.query(`
    INSERT INTO "NotificationEvent" (name, "productId", payload)
    SELECT 'scan_added', $1, json_build_object('new', i % 7, 'closed', i % 3, 'reactivated', 0, 'untouched', 100 + i)
    FROM generate_series(1, $2) AS i RETURNING id`, [productId, events])).rows.map((r) => r.id);
  const t0 = performance.now();
  const t0Wall = Date.now();
  await db.query('COMMIT');
  await waitFor(() => rx.seen.size >= expected, `${expected} deliveries at the receiver`, 30 * 60_000);
  const firstId = ids[0]!, lastId = ids.at(-1)!;
  // every delivery row of these events SENT (the worker marks it after the answer)
  const stats = await waitFor(async () => {
    const r = (await db.query(`SELECT count(*) FILTER (WHERE status <> 'SENT')::int AS waiting, count(*)::int AS total,
        (extract(epoch FROM max("sentAt")) * 1000)::float8 AS "lastSent" FROM "Delivery" WHERE (payload->'message'->>'eventId')::int BETWEEN $1 AND $2`, [firstId, lastId])).rows[0];
    return r.waiting === 0 && r.total === expected && r;
  }, 'every Delivery SENT', 60_000);
  const dispatched = (await db.query(`SELECT (extract(epoch FROM max("dispatchedAt")) * 1000)::float8 AS t, count(*) FILTER (WHERE "dispatchedAt" IS NULL)::int AS left
    FROM "NotificationEvent" WHERE id BETWEEN $1 AND $2`, [firstId, lastId])).rows[0];
  const eventIds = new Set(ids);
  const latencies = [...rx.seen.values()].map((v) => { if (!eventIds.has(v.eventId)) throw new Error(`unexpected event ${v.eventId}`); return v.at - t0; }).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  // the clocks: arrival here (monotonic, from t0) and sentAt in the worker (wall clock, same machine)
  const endMs = Math.max(latencies.at(-1)!, stats.lastSent - t0Wall);
  const baselineS = await baseline(rx, expected, baselineConcurrency);
  return {
    events, deliveries: expected, seconds: endMs / 1000, p50: at(0.5), p95: at(0.95), max: latencies.at(-1)!,
    dispatchS: (dispatched.t - t0Wall) / 1000, baselineS, baselineConcurrency,
  };
}

/** `n` POSTs of a delivery's headers and body straight to the receiver, `concurrency` at a time; seconds. */
async function baseline(rx: Receiver, n: number, concurrency: number): Promise<number> {
  const sample = rx.sample!;
  const headers = Object.fromEntries(Object.entries(sample.headers).filter(([k]) => k.startsWith('x-') || k === 'content-type' || k === 'accept' || k === 'user-agent'));
  rx.reset();
  await sleep(100);
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await fetch(`${rx.url}/baseline`, { method: 'POST', headers: { ...headers, 'idempotency-key': `baseline-${i}` }, body: sample.body });
      await res.text();
    }
  }));
  const s = (performance.now() - t) / 1000;
  rx.reset();
  return s;
}

await main();
