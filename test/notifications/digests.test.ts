// Digests over real SMTP: a person who takes mail daily gets nothing per event, then one message when
// the period ends, its events grouped by product; each event is in exactly one digest. The period's
// end is reached by calling the digest run with a later clock, as the worker's minute tick would.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendDueDigests } from '@tributary/server/notifications/digests.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ADD_PRODUCT_MEMBER, CREATE_PRODUCT, CREATE_USER } from '../support/documents.ts';
import { firstError, rowId } from '../support/graphql.ts';
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts';
import { sleep, waitFor } from '../support/wait.ts';

const UPDATE = 'mutation($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) { settings { digests { method frequency } } } }';
let t: TestApp;
let smtp: SmtpServer;
let admin: string;
let reader: string;
const products: Record<string, number> = {};

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ env: { TRIBUTARY_SMTP_URL: smtp.url, TRIBUTARY_PUBLIC_URL: 'https://tributary.example.com' } });
  admin = await t.login();
  const userId = (await t.ok(CREATE_USER, { i: { email: 'reader@example.com', name: 'Reader', password: 'digest-tests-pw' } }, admin)).createUser.user.id;
  reader = await t.login('reader@example.com', 'digest-tests-pw');
  for (const name of ['Shop', 'Billing']) {
    const id = (await t.ok(CREATE_PRODUCT, { i: { name } }, admin)).createProduct.product.id;
    products[name] = rowId(id);
    await t.ok(ADD_PRODUCT_MEMBER, { i: { productId: id, userId, role: 'READER' } }, admin);
  }
  await t.ok('mutation { updateSystemSettings(input: { enableMail: true }) { settings { enableMail } } }', {}, admin);
});
afterAll(async () => { await t?.stop(); await smtp?.close(); });

async function emitAndDispatch(product: number, n: number): Promise<void> {
  const [row] = await t.sql<{ id: number }>(`INSERT INTO "NotificationEvent" (name, "productId", payload) VALUES ('scan_added', $1, $2) RETURNING id`, [product, { new: n, closed: 0, reactivated: 0, untouched: 0 }]);
  await waitFor(async () => (await t.sql(`SELECT 1 FROM "NotificationEvent" WHERE id = $1 AND "dispatchedAt" IS NOT NULL`, [row!.id])).length, 'dispatch');
}

it('holds a daily digest’s messages, then sends one mail grouping them by product', async () => {
  const set = await t.ok(UPDATE, { i: { scope: 'PERSONAL', events: [{ event: 'scan_added', methods: ['MAIL'] }], digests: [{ method: 'MAIL', frequency: 'DAILY' }] } }, reader);
  expect(set.updateNotificationSettings.settings.digests).toEqual([{ method: 'MAIL', frequency: 'DAILY' }, { method: 'SLACK', frequency: 'IMMEDIATE' }]);
  await emitAndDispatch(products.Shop!, 1);
  await emitAndDispatch(products.Billing!, 2);
  await emitAndDispatch(products.Shop!, 3);
  const held = await t.sql<{ digestAt: Date }>(`SELECT "digestAt" FROM "Delivery" WHERE method = 'MAIL' AND status = 'PENDING'`);
  expect(held).toHaveLength(3);
  // due at the next midnight UTC
  expect(held.every((d) => d.digestAt.getUTCHours() === 0 && d.digestAt.getTime() > Date.now())).toBe(true);
  await sleep(300);
  expect(smtp.inbox).toHaveLength(0);

  expect(await sendDueDigests(t.app.services, new Date(Date.now() - 1000))).toBe(0);
  expect(await sendDueDigests(t.app.services, new Date(Date.now() + 86_400_000 + 1000))).toBe(1);
  await waitFor(async () => smtp.inbox.length === 1, 'the digest mail');
  const mail = smtp.inbox[0]!.mail;
  expect(mail.subject).toBe('[Tributary] Tributary digest: 3 notifications for Billing, Shop');
  expect(mail.text).toContain('Billing (1):\n- A connector: 2 new in Billing');
  expect(mail.text).toContain('Shop (2):\n- A connector: 1 new in Shop');
  expect(smtp.inbox[0]!.envelope.to).toEqual(['reader@example.com']);
  // the digest's own row is marked SENT just after the SMTP server has the mail
  const statuses = async () => (await t.sql<{ status: string }>(`SELECT status FROM "Delivery" WHERE method = 'MAIL' ORDER BY id`)).map((r) => r.status);
  await waitFor(async () => (await statuses()).every((s) => s === 'SENT'), 'the digest delivery SENT');
  expect(await statuses()).toEqual(['SENT', 'SENT', 'SENT', 'SENT']);
  // nothing is sent twice
  expect(await sendDueDigests(t.app.services, new Date(Date.now() + 2 * 86_400_000))).toBe(0);
});

it('sends at once again when set back to IMMEDIATE, and refuses digests where they make no sense', async () => {
  await t.ok(UPDATE, { i: { scope: 'PERSONAL', events: [], digests: [{ method: 'MAIL', frequency: 'IMMEDIATE' }] } }, reader);
  await emitAndDispatch(products.Shop!, 4);
  await waitFor(async () => smtp.inbox.length === 2, 'the immediate mail');
  expect(smtp.inbox[1]!.mail.subject).toBe('[Tributary] A connector: 4 new in Shop');

  expect(firstError(await t.gql(UPDATE, { i: { scope: 'PERSONAL', events: [], digests: [{ method: 'ALERT', frequency: 'DAILY' }] } }, reader)))
    .toMatchObject({ code: 'BAD_USER_INPUT', fields: ['digests[0].method'] });
  expect(firstError(await t.gql(UPDATE, { i: { scope: 'PRODUCT', productId: Buffer.from(`Product:${products.Shop}`).toString('base64'), events: [], digests: [{ method: 'MAIL', frequency: 'HOURLY' }] } }, reader)))
    .toMatchObject({ code: 'BAD_USER_INPUT', fields: ['digests'] });
});
