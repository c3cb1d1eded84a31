// The outbox against a webhook receiver that goes down: its messages wait (DefectDojo drops them)
// and arrive once each, in order, when it is back; a message it refuses for good is DEAD, visible,
// and replayed by a superuser. Time is moved by hand: the endpoint's last error is put in the past
// and the waiting jobs brought forward, as the 60 s rest and the backoff would.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { subscribe } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';

let t: TestApp;
let admin: string;
let rx: WebhookReceiver;
let webhookId: string;
let productId: number;

beforeAll(async () => {
  t = await startTestApp({ env: { TRIBUTARY_DELIVERY_BACKOFF_MS: '100' } });
  admin = await t.login();
  rx = await startWebhookReceiver();
  webhookId = (await t.ok('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }',
    { i: { name: 'SIEM', url: `${rx.url}/in`, headerName: 'Authorization', headerValue: 'Bearer siem-secret' } }, admin)).createWebhook.webhook.id;
  await t.ok('mutation { updateSystemSettings(input: { enableWebhooks: true }) { settings { enableWebhooks } } }', {}, admin);
  await t.ok('mutation { updateNotificationSettings(input: { scope: SYSTEM, events: [{ event: "scan_added", methods: [WEBHOOKS] }] }) { settings { scope } } }', {}, admin);
  productId = rowId((await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id);
});
afterAll(async () => { await rx?.close(); await t?.stop(); });

const scanAdded = (n: number) => t.sql(`INSERT INTO "NotificationEvent" (name, "productId", payload) VALUES ('scan_added', $1, $2)`, [productId, { new: n, closed: 0, reactivated: 0, untouched: 0 }]);
const deliveries = () => t.sql<{ id: number; status: string; attempts: number; lastError: string | null }>(`SELECT id, status, attempts, "lastError" FROM "Delivery" WHERE method = 'WEBHOOKS' ORDER BY id`);
const received = () => rx.requests.filter((r) => r.headers['x-tributary-event'] === 'scan_added');

/** what the clock would do: the endpoint's rest is over, and every waiting delivery is due now */
async function timePasses() {
  await t.sql(`UPDATE "Webhook" SET "lastErrorAt" = now() - interval '2 minutes', "firstErrorAt" = "firstErrorAt" - interval '2 minutes'`);
  await t.sql(`UPDATE "Delivery" SET "nextAttemptAt" = now() WHERE status IN ('PENDING', 'FAILED')`);
  // the endpoint's job, due now (its key: the one job of this endpoint)
  await t.sql(`SELECT graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', id), queue_name => 'webhook:' || id,
    run_at => now(), job_key => 'webhook:' || id) FROM "Webhook"`);
}

it('keeps every message while the receiver is down and delivers each once, in order, when it is back', async () => {
  rx.failWith(503);
  for (let n = 1; n <= 3; n++) await scanAdded(n);
  // the first fails and waits; the later ones wait behind it, never tried
  await waitFor(async () => { const d = await deliveries(); return d.length === 3 && d[0]!.status === 'FAILED' && d.every((x) => x.status !== 'SENT'); }, 'three waiting deliveries');
  expect((await deliveries()).map((d) => [d.status, d.attempts])).toEqual([['FAILED', 1], ['PENDING', 0], ['PENDING', 0]]);
  const [hook] = await t.sql(`SELECT status FROM "Webhook"`);
  expect(hook.status).toBe('INACTIVE_TMP');
  expect((await deliveries())[0]!.lastError).toMatch(/503/);
  expect(JSON.stringify(await deliveries())).not.toContain('siem-secret');

  rx.recover();
  await timePasses();
  await waitFor(async () => (await deliveries()).every((d) => d.status === 'SENT'), 'the deliveries to be sent');
  const ok = received().slice(-3);
  expect(ok.map((r) => r.json.counts?.new ?? r.json.finding_count)).toEqual([1, 2, 3]);
  // once per delivery: every idempotency key that reached a 2xx appears once among the successes
  const keys = ok.map((r) => r.headers['idempotency-key']);
  expect(new Set(keys).size).toBe(3);
  expect(keys).toEqual((await deliveries()).map((d) => `tributary-delivery-${d.id}`));
  expect((await t.sql(`SELECT status FROM "Webhook"`))[0].status).toBe('ACTIVE');
});

it('marks a message the receiver refuses for good DEAD, and a superuser replays it once the endpoint is back on', async () => {
  rx.failWith(404, { times: 1 });
  await scanAdded(4);
  const dead = await waitFor(async () => (await deliveries()).find((d) => d.status === 'DEAD'), 'a dead delivery');
  expect(dead.lastError).toMatch(/404/);
  expect((await t.sql(`SELECT status FROM "Webhook"`))[0].status).toBe('INACTIVE_PERMANENT');
  const listed = await t.ok('{ deliveries(first: 10, filter: { status: DEAD }) { totalCount nodes { id status attempts lastError } } }', {}, admin);
  expect(listed.deliveries.totalCount).toBe(1);

  await t.ok('mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { status } } }', { i: { id: webhookId, active: true } }, admin);
  const before = received().length;
  const replayed = await t.ok('mutation($i: ReplayDeliveriesInput!) { replayDeliveries(input: $i) { replayed } }', { i: { webhookId } }, admin);
  expect(replayed.replayDeliveries.replayed).toBe(1);
  // nothing else is dead: replaying everything finds nothing more
  expect((await t.ok('mutation { replayDeliveries(input: { all: true }) { replayed } }', {}, admin)).replayDeliveries.replayed).toBe(0);
  const listedWithHook = await t.ok('{ deliveries(first: 1) { nodes { webhook { name } } } }', {}, admin);
  expect(listedWithHook.deliveries.nodes[0].webhook).toEqual({ name: 'SIEM' });
  await waitFor(async () => (await deliveries()).every((d) => d.status === 'SENT'), 'the replayed delivery');
  expect(received().length).toBe(before + 1);
  expect(received().at(-1)!.headers['idempotency-key']).toBe(`tributary-delivery-${dead.id}`);
});

it('parks the messages behind one the endpoint refused for good without using up their attempts, and sends them in order once it is back on', async () => {
  const hookId = rowId(webhookId);
  rx.failWith(410, { times: 1 });
  const before = received().length;
  const first = (await deliveries()).length;
  // three events in one statement: dispatched together, all three queued before the first is sent
  await t.sql(`INSERT INTO "NotificationEvent" (name, "productId", payload) SELECT 'scan_added', $1, json_build_object('new', n, 'closed', 0, 'reactivated', 0, 'untouched', 0)
    FROM generate_series(10, 12) n ORDER BY n`, [productId]);
  await waitFor(async () => { const d = (await deliveries()).slice(first); return d.length === 3 && d[1]!.lastError !== null; }, 'the first parked delivery');
  // several looks at the switched-off endpoint (its job comes back whenever the parked head is due)
  for (let look = 0; look < 3; look++) {
    await t.sql(`UPDATE "Delivery" SET "nextAttemptAt" = now() WHERE "webhookId" = $1 AND status IN ('PENDING', 'FAILED')`, [hookId]);
    await t.sql(`SELECT graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', $1::int), queue_name => 'webhook:' || $1, job_key => 'webhook:' || $1)`, [hookId]);
    await waitFor(async () => (await t.sql(`SELECT 1 FROM graphile_worker.jobs WHERE key = 'webhook:' || $1 AND run_at <= now()`, [hookId])).length === 0, 'the look');
  }
  const parked = (await deliveries()).slice(first);
  expect(parked.map((d) => [d.status, d.attempts])).toEqual([['DEAD', 1], ['PENDING', 0], ['PENDING', 0]]);
  expect(parked[1]!.lastError).toMatch(/switched off \(INACTIVE_PERMANENT/);
  expect(received().length).toBe(before + 1);

  // switched back on: the parked ones go now, in order, with no clock moved; the refused one stays DEAD for a replay
  await t.ok('mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { status } } }', { i: { id: webhookId, active: true } }, admin);
  await waitFor(async () => (await deliveries()).slice(first + 1).every((d) => d.status === 'SENT'), 'the parked deliveries sent');
  // the first one reached the receiver once, refused; the others once each, after it
  expect(received().slice(before).map((r) => r.json.counts?.new ?? r.json.finding_count)).toEqual([10, 11, 12]);
});

it('streams every delivery and each status it moves through to superusers (deliveryChanged), and to nobody else', async () => {
  const live = subscribe(t.url, admin, 'subscription { deliveryChanged { id status attempts } }');
  const reader = await t.ok('mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { email: 'watcher@example.com', password: 'a long enough password' } }, admin);
  expect(reader.createUser.user.id).toBeTruthy();
  const refused = subscribe(t.url, await t.login('watcher@example.com', 'a long enough password'), 'subscription { deliveryChanged { id } }');
  await waitFor(async () => refused.errors.length > 0, 'the refusal');
  expect(refused.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  await sleep(200); // the superuser's subscription is in place

  rx.failWith(503, { times: 1 });
  await scanAdded(20);
  const [row] = (await deliveries()).slice(-1);
  await waitFor(async () => (await deliveries()).at(-1)!.status === 'FAILED', 'the failed attempt');
  await timePasses();
  await waitFor(async () => live.events.some((e) => e.deliveryChanged.status === 'SENT'), 'SENT, live');
  const seen = live.events.map((e) => e.deliveryChanged).filter((d) => d.id === live.events[0]!.deliveryChanged.id);
  expect(seen.map((d) => d.status)).toEqual(['PENDING', 'FAILED', 'SENT']);
  expect(seen.at(-1)!.attempts).toBe(2);
  expect(row).toBeTruthy();
  await live.dispose();
  await refused.dispose();
});
