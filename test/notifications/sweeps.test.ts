// The hourly sweeps against a clock of the test's own: SLA breaches (each finding announced once,
// per product, the findings listed by severity), engagements starting within 3 days and past their
// end (each once), alert retention — and that the worker's crontab runs them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSweeps } from '@tributary/server/notifications/sweeps.ts';
import { workerCrontab } from '@tributary/server/jobs/tasks.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { waitFor } from '../support/wait.ts';

let t: TestApp;
let admin: string;
let productId: string;
let testId: string;
const DAY = 86_400_000;
const NOW = new Date('2027-03-01T12:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * DAY).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login();
  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id;
  const engagementId = (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Global Connectors' } }, admin)).createEngagement.engagement.id;
  testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Scans' } }, admin)).createTest.test.id;
});
afterAll(async () => { await t?.stop(); });

const sweep = (now: Date) => runSweeps(t.app.services, now);
const events = (name: string) => t.sql<{ productId: number; payload: any }>('SELECT "productId", payload FROM "NotificationEvent" WHERE name = $1 ORDER BY id', [name]);

async function finding(title: string, severity: string, slaExpiresInDays: number, active = true) {
  const id = rowId((await t.ok(CREATE_FINDING, { i: { testId, title, severity } }, admin)).createFinding.finding.id);
  await t.sql('UPDATE "Finding" SET "slaExpirationDate" = $2, active = $3 WHERE id = $1', [id, days(slaExpiresInDays), active]);
  return id;
}

it('announces findings past their SLA once per product, most severe first, and later breaches in a later sweep', async () => {
  const high = await finding('SQL injection', 'HIGH', -2);
  const critical = await finding('RCE', 'CRITICAL', -1);
  await finding('Fixed already', 'HIGH', -3, false);
  const later = await finding('Weak cipher', 'MEDIUM', 5);
  expect((await sweep(NOW)).slaBreaches).toBe(1);
  expect((await sweep(NOW)).slaBreaches).toBe(0);
  const [first] = await events('sla_breach_combined');
  expect(first!.productId).toBe(rowId(productId));
  expect(first!.payload).toMatchObject({ title: '2 findings past their SLA in Shop', findingIds: [critical, high], path: `/products/${rowId(productId)}` });

  expect((await sweep(new Date(NOW.getTime() + 6 * DAY))).slaBreaches).toBe(1);
  expect((await events('sla_breach_combined'))[1]!.payload.findingIds).toEqual([later]);
});

it('announces an engagement starting within 3 days, and one past its end, each once', async () => {
  const upcoming = rowId((await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Pentest', targetStart: days(2), targetEnd: days(9) } }, admin)).createEngagement.engagement.id);
  await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Next quarter', targetStart: days(40), targetEnd: days(50) } }, admin);
  const over = rowId((await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Audit 2026', targetStart: days(-30), targetEnd: days(-1) } }, admin)).createEngagement.engagement.id);
  expect(await sweep(NOW)).toMatchObject({ upcoming: 1, stale: 1 });
  expect(await sweep(NOW)).toMatchObject({ upcoming: 0, stale: 0 });
  expect((await events('upcoming_engagement')).map((e) => e.payload.engagementId)).toEqual([upcoming]);
  expect((await events('upcoming_engagement'))[0]!.payload.title).toBe('Engagement Pentest of Shop starts 2027-03-03');
  expect((await events('stale_engagement')).map((e) => e.payload.engagementId)).toEqual([over]);
  // ten days on, the pentest is over too
  expect(await sweep(new Date(NOW.getTime() + 10 * DAY))).toMatchObject({ upcoming: 0, stale: 1 });
});

it('removes alerts past their retention (90 days by default)', async () => {
  const [admin1] = await t.sql<{ id: number }>('SELECT id FROM "User" ORDER BY id LIMIT 1');
  await t.sql(`INSERT INTO "Alert" ("userId", event, title, "createdAt") VALUES ($1, 'other', 'old', $2), ($1, 'other', 'recent', $3)`, [admin1!.id, days(-91), days(-89)]);
  expect((await sweep(NOW)).alertsRemoved).toBe(1);
  expect((await t.sql(`SELECT title FROM "Alert" WHERE title IN ('old', 'recent')`)).map((r) => r.title)).toEqual(['recent']);
});

it('is on the worker’s crontab hourly, and its events reach the people who asked, with the findings', async () => {
  expect(workerCrontab).toMatch(/^0 \* \* \* \* notification_sweep \?max=1$/m);
  await t.ok('mutation { updateNotificationSettings(input: { scope: PERSONAL, events: [{ event: "sla_breach_combined", methods: [ALERT] }] }) { settings { scope } } }', {}, admin);
  await t.sql(`DELETE FROM "NotificationEvent" WHERE name = 'sla_breach_combined'`);
  await sweep(NOW);
  const alert = await waitFor(async () => (await t.ok('{ alerts(first: 5) { nodes { event title } } }', {}, admin)).alerts.nodes.find((a: { event: string }) => a.event === 'sla_breach_combined'), 'the SLA alert');
  expect(alert.title).toMatch(/findings past their SLA in Shop/);
  const [delivery] = await t.sql<{ payload: any }>(`SELECT payload FROM "Delivery" WHERE event = 'sla_breach_combined'`);
  expect(delivery!.payload.message.findings.map((f: { severity: string }) => f.severity)).toEqual(['CRITICAL', 'HIGH']);
});
