// Slow clients: a websocket subscriber that stops reading (a raw `ws` client whose socket is paused)
// while RELIABILITY_SLOW_EVENTS operation changes (6,000 in `pnpm test`, ~2 KB each on the wire) are
// committed. The rows waiting for it must stay under the per-connection budget (live/stream.ts), the
// server must close it with 1013 (Try Again Later, which graphql-ws clients retry) and let go of its
// rows, while a subscriber that reads receives every event in order and HTTP queries answer promptly.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIVE_QUEUE_LIMIT_BYTES } from '@tributary/server/live/stream.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_CONNECTOR } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { metricSum, subscribe, type Subscriber } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { setting } from './support.ts';

const OPERATIONS = 100;
// steps × operations events: enough to fill the loopback socket buffers (~4 MB here) and the budget
const STEPS = Math.ceil(setting('SLOW_EVENTS', 6_000) / OPERATIONS);
/** each row carries this much text, so a few thousand events weigh megabytes */
const ERROR_TEXT = 'x'.repeat(2_000);
const QUERY = 'subscription($c: ID) { operationChanged(connectorId: $c) { id status progress error } }';

let t: TestApp;
let admin: string;
let connectorGid: string;
let connectorId: number;
const open: Subscriber[] = [];

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();
  const input = { name: 'Flood', kind: 'sarif-directory', url: '', options: { path: 'tributary-nonexistent' }, discoverSchedule: null, syncSchedule: null };
  connectorGid = (await t.ok(CREATE_CONNECTOR, { i: input }, admin)).createConnector.connector.id;
  connectorId = rowId(connectorGid);
  await t.sql(`INSERT INTO "Operation" ("connectorId", type, trigger, status, error) SELECT $1, 'SYNC', 'MANUAL', 'RUNNING', $2 FROM generate_series(1, $3)`,
    [connectorId, ERROR_TEXT, OPERATIONS]);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await t?.stop();
});

const metric = (name: string) => metricSum(t.url, name);

/** a graphql-transport-ws client by hand: connection_init, subscribe, then whatever the test does with its socket */
async function rawSubscriber() {
  const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const received = { next: 0, bytes: 0 };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
  const acked = new Promise<void>((resolve) => socket.on('message', (data) => {
    const text = data.toString();
    received.bytes += text.length;
    const msg = JSON.parse(text);
    if (msg.type === 'connection_ack') resolve();
    if (msg.type === 'next') received.next++;
  }));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin}` } }));
  await acked;
  socket.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query: QUERY, variables: { c: connectorGid } } }));
  return { socket, received, closed };
}

it(`closes a subscriber that stops reading with 1013 once ${LIVE_QUEUE_LIMIT_BYTES / 1024 / 1024} MiB wait for it, while another receives all ${OPERATIONS * STEPS} events`, async () => {
  const reader = subscribe(t.url, admin, QUERY, { c: connectorGid });
  open.push(reader);
  const slow = await rawSubscriber();
  await waitFor(() => t.app.services.live.listenerCount === 2, 'both subscriptions');
  // from here the slow client reads nothing: the kernel's buffers fill, then graphql-ws's writes stall
  slow.socket.pause();

  const heapBefore = process.memoryUsage().heapUsed;
  let peakQueued = 0;
  let peakHeap = heapBefore;
  let sampling = true;
  let closedAtEvent = 0;
  const sampler = (async () => {
    while (sampling) {
      peakQueued = Math.max(peakQueued, await metric('tributary_live_queued_bytes'));
      // reading again once the server gave up on it, it gets what the kernel held, then the close
      // frame (waiting longer, ws would cut the socket 30 s after the close and it would see 1006)
      if (!closedAtEvent && (await metric('tributary_websocket_slow_closes_total')) === 1) {
        closedAtEvent = reader.events.length;
        slow.socket.resume();
      }
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      await sleep(20);
    }
  })();
  const latencies: number[] = [];
  const started = Date.now();
  for (let step = 1; step <= STEPS; step++) {
    // one statement, one transaction: OPERATIONS notifications committed together
    await t.sql(`UPDATE "Operation" SET progress = jsonb_build_object('step', $1::int) WHERE "connectorId" = $2`, [step, connectorId]);
    if (step % 10 === 0) {
      const asked = Date.now();
      expect((await t.gql('{ viewer { email } }', {}, admin)).data).toEqual({ viewer: { email: 'admin@example.com' } });
      latencies.push(Date.now() - asked);
    }
  }
  const published = Date.now() - started;
  await waitFor(() => reader.events.length >= OPERATIONS * STEPS, `the reading subscriber's ${OPERATIONS * STEPS} events`, 60_000);
  const delivered = Date.now() - started;
  await waitFor(() => closedAtEvent > 0, 'the slow client to be closed');
  sampling = false;
  await sampler;

  // the reader: every event once, each operation's steps in commit order
  const steps = new Map<string, number[]>();
  for (const e of reader.events) {
    const op = e.operationChanged;
    if (!steps.has(op.id)) steps.set(op.id, []);
    steps.get(op.id)!.push(op.progress.step);
  }
  expect(steps.size).toBe(OPERATIONS);
  for (const seen of steps.values()) expect(seen).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  expect(reader.errors).toEqual([]);

  // the slow client's rows were bounded by the budget (plus the one row that passed it) and freed
  const rowBytes = JSON.stringify({ id: connectorGid, status: 'RUNNING', progress: { step: STEPS }, error: ERROR_TEXT, connectorId, createdAt: new Date() }).length;
  expect(peakQueued).toBeLessThanOrEqual(LIVE_QUEUE_LIMIT_BYTES + 2 * rowBytes);
  expect(await metric('tributary_live_queued_bytes')).toBe(0);
  expect(t.app.services.live.listenerCount).toBe(1);
  expect(await metric('tributary_websocket_slow_closes_total')).toBe(1);

  // 1013, which graphql-ws clients retry
  const { code, reason } = await slow.closed;
  expect(code).toBe(1013);
  expect(reason).toMatch(/Try Again Later/);
  expect(slow.received.next).toBeLessThan(OPERATIONS * STEPS);

  // the HTTP API answered throughout
  const worst = Math.max(...latencies);
  // (under 0.4 s alone; up to 2.3 s on 2 cores shared with the outage suite)
  expect(worst).toBeLessThan(5_000);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`[slow-clients] ${OPERATIONS * STEPS} events (~${mb(OPERATIONS * STEPS * rowBytes)} MB of rows) committed in ${published} ms, all delivered to the reader in ${delivered} ms; `
    + `slow client closed 1013 (the reader was at event ${closedAtEvent}) after receiving ${slow.received.next} (${mb(slow.received.bytes)} MB, the socket buffers); peak queued ${mb(peakQueued)} MB (budget ${mb(LIVE_QUEUE_LIMIT_BYTES)}); `
    + `heap ${mb(heapBefore)} → peak ${mb(peakHeap)} MB; HTTP query p-max ${worst} ms over ${latencies.length}`);
}, Math.max(120_000, OPERATIONS * STEPS * 10));
