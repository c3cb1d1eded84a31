// The outbox against a webhook receiver that goes down: its messages wait (DefectDojo drops them)
// and arrive once each, in order, when it is back; a message it refuses for good is DEAD, visible,
// and replayed by a superuser. Time is moved by hand: the endpoint's last error is put in the past
// and the waiting jobs brought forward, as the 60 s rest and the backoff would.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { waitFor } from '../support/wait.ts';
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
  await t.sql(`SELECT graphile_worker.add_job('deliver_notification', json_build_object('deliveryId', id), queue_name => 'webhook:' || "webhookId",
    run_at => now(), max_attempts => 1, job_key => 'delivery:' || id) FROM "Delivery" WHERE status IN ('PENDING', 'FAILED') ORDER BY id DESC`);
}

it('keeps every message while the receiver is down and delivers each once, in order, when it is back', async () => {
  rx.failWith(503);
  for (let n = 1; n <= 3; n++) await scanAdded(n);
  // the first fails and waits; the later ones wait behind it, unsent
  await waitFor(async () => { const d = await deliveries(); return d.length === 3 && d[0]!.status === 'FAILED' && d.every((x) => x.status !== 'SENT'); }, 'three waiting deliveries');
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
  await waitFor(async () => (await deliveries()).every((d) => d.status === 'SENT'), 'the replayed delivery');
  expect(received().length).toBe(before + 1);
  expect(received().at(-1)!.headers['idempotency-key']).toBe(`tributary-delivery-${dead.id}`);
});
