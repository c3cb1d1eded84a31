// Delivery outages: the outbox against endpoints that go away and come back, all at once, through
// the real worker. For RELIABILITY_OUTAGE_MS (8 s in `pnpm test`) the webhook receiver refuses
// connections (its port closed, open connections cut) and then answers 503, and the SMTP server is
// stopped (its connections closed) and started again on the same port; from the same moment, for
// RELIABILITY_SLACK_THROTTLE_MS (28 s), Slack answers 429 with Retry-After: 1 to a message that waits
// alone. Webhook and mail events keep coming before, during and after. Every message must arrive exactly
// once (counted at the receivers by idempotency key, Message-ID and text), the webhook's in event
// order, and nothing may end DEAD.
//
// One clock is compressed: a webhook that failed rests 60 s (DefectDojo's INACTIVE_TMP) before it is
// tried again; here the rest is moved into the past twice a second, as webhook-delivery.test.ts does
// by hand. The backoff between attempts is the real one, from TRIBUTARY_DELIVERY_BACKOFF_MS.
import net from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '@tributary/server/notifications/deliver.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { closedPort } from '../support/smtp.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { setting } from './support.ts';

const OUTAGE_MS = setting('OUTAGE_MS', 8_000);
/** Slack throttles longer: one message alone under 429s for more Retry-Afters (~2 s a round with the pacing) than MAX_ATTEMPTS */
const SLACK_THROTTLE_MS = setting('SLACK_THROTTLE_MS', Math.max(28_000, OUTAGE_MS));
// 12 attempts doubling from the base wait ~4,095 × base: patience of at least twice the outage (in
// production 30 s gives ~6.5 h); an endpoint back after that is allowed to have lost messages
const BACKOFF_MS = Math.max(50, Math.ceil((2 * OUTAGE_MS) / (2 ** MAX_ATTEMPTS - 1)));
/** scan_added (webhook + mail) this often */
const EVENT_EVERY_MS = 200;
const MAIL_TO = 'secops@example.test';
const CHANNEL = 'C0SECALERT';

let t: TestApp;
let admin: string;
let productId: number;
let rx: WebhookReceiver;
let hook: Switch;
let slack: SlackFake;
let smtp: Smtp;

/** a TCP port that forwards to `target` and can be switched off (refusing, its connections cut) and on again */
interface Switch { port: number; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }
async function startSwitch(targetPort: number): Promise<Switch> {
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  const listen = (port: number) => new Promise<number>((resolve) => {
    server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const port = await listen(0);
  const down = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { port, down, up: async () => { await listen(port); }, close: down };
}

/**
 * An SMTP server on a fixed port that can be stopped and started again. It keeps the messages it
 * acknowledges; one whose connection was cut before the server could answer 250 is not accepted
 * (RFC 5321: the client still owns it and sends it again), and is only counted in `unacknowledged`.
 * A 250 written just before the stop cuts its connection can still be lost on the way: the client
 * then sends that message again, under the same Message-ID (`cutSessions` tells those apart).
 */
interface Smtp {
  port: number; inbox: Array<{ messageId: string; to: string[]; session: string }>; unacknowledged: number;
  /** the sessions open when the server was stopped */
  cutSessions: Set<string>;
  stop(): Promise<void>; start(): Promise<void>;
}
async function startSmtp(port: number): Promise<Smtp> {
  const inbox: Smtp['inbox'] = [];
  const cut = new Set<string>();
  const open = new Set<string>();
  const cutSessions = new Set<string>();
  let server: SMTPServer | null = null;
  const state = { unacknowledged: 0 };
  const start = async () => {
    server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      // stopping cuts open (pooled) connections after 100 ms, as a crashed relay would
      closeTimeout: 100,
      onConnect(session, cb) { open.add(session.id); cb(); },
      onClose(session) { cut.add(session.id); open.delete(session.id); },
      onData(stream, session, cb) {
        simpleParser(stream).then((mail) => {
          if (cut.has(session.id)) { state.unacknowledged++; return cb(new Error('connection closed')); }
          inbox.push({ messageId: mail.messageId ?? '', to: session.envelope.rcptTo.map((r) => r.address), session: session.id });
          cb();
        }, cb);
      },
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
  };
  await start();
  return {
    port, inbox, start, cutSessions,
    get unacknowledged() { return state.unacknowledged; },
    stop: () => new Promise<void>((resolve) => {
      for (const id of open) cutSessions.add(id);
      const s = server;
      server = null;
      if (!s) resolve(); else s.close(() => resolve());
    }),
  };
}

beforeAll(async () => {
  rx = await startWebhookReceiver();
  hook = await startSwitch(Number(new URL(rx.url).port));
  slack = await startSlackFake();
  slack.addChannel(CHANNEL);
  smtp = await startSmtp(await closedPort());
  t = await startTestApp({
    env: {
      TRIBUTARY_DELIVERY_BACKOFF_MS: String(BACKOFF_MS),
      TRIBUTARY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      TRIBUTARY_MAIL_FROM: 'Tributary <tributary@example.test>',
      TRIBUTARY_SLACK_API_URL: `${slack.url}/api/`,
    },
  });
  admin = await t.login();
  await t.ok('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }', { i: { name: 'SIEM', url: `http://127.0.0.1:${hook.port}/in` } }, admin);
  await t.ok('mutation($i: UpdateSystemSettingsInput!) { updateSystemSettings(input: $i) { settings { enableWebhooks } } }',
    { i: { enableWebhooks: true, enableMail: true, mailTo: MAIL_TO, enableSlack: true, slackToken: slack.token, slackChannel: CHANNEL } }, admin);
  await t.ok(`mutation { updateNotificationSettings(input: { scope: SYSTEM, events: [
    { event: "scan_added", methods: [WEBHOOKS, MAIL] }, { event: "operation_failed", methods: [SLACK] }] }) { settings { scope } } }`, {}, admin);
  productId = rowId((await t.ok(CREATE_PRODUCT, { i: { name: 'Outages' } }, admin)).createProduct.product.id);
});
afterAll(async () => {
  await t?.stop();
  await smtp?.stop();
  await hook?.close();
  await rx?.close();
  await slack?.close();
});

let scans = 0;
let failures = 0;
const scanAdded = () => t.sql(`INSERT INTO "NotificationEvent" (name, "productId", payload) VALUES ('scan_added', $1, $2)`,
  [productId, { new: ++scans, closed: 0, reactivated: 0, untouched: 0 }]);
const operationFailed = () => t.sql(`INSERT INTO "NotificationEvent" (name, payload) VALUES ('operation_failed', $1)`,
  [{ type: 'SYNC', error: `outage message ${++failures}` }]);

/** scan_added events at their pace for `ms` */
async function emitFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await scanAdded();
    await sleep(EVENT_EVERY_MS);
  }
}

/** the webhook's 60 s rest after an error, compressed: its last error moved a minute back, its parked deliveries due */
async function compressRest() {
  await t.sql(`UPDATE "Webhook" SET "lastErrorAt" = "lastErrorAt" - interval '61 seconds' WHERE status = 'INACTIVE_TMP' AND "lastErrorAt" > now() - interval '61 seconds'`);
  const woken = await t.sql(`UPDATE "Delivery" SET "nextAttemptAt" = now() WHERE method = 'WEBHOOKS' AND status IN ('PENDING', 'FAILED')
    AND "nextAttemptAt" > now() AND "lastError" LIKE '%is resting after an error%' RETURNING "webhookId"`);
  for (const id of new Set(woken.map((r) => r.webhookId))) {
    await t.sql(`SELECT graphile_worker.add_job('deliver_webhook', json_build_object('webhookId', $1::int), queue_name => 'webhook:' || $1, job_key => 'webhook:' || $1)`, [id]);
  }
}

const systemDeliveries = () => t.sql<{ id: number; method: string; status: string; attempts: number; sentAt: Date | null }>(
  `SELECT id, method::text, status::text, attempts, "sentAt" FROM "Delivery" WHERE "userId" IS NULL AND method IN ('WEBHOOKS', 'MAIL', 'SLACK') ORDER BY id`);

it(`delivers every message exactly once, the webhook's in order, after a ${OUTAGE_MS / 1000} s outage of the webhook receiver, the SMTP server and Slack`, async () => {
  let clock = true;
  const restClock = (async () => { while (clock) { await compressRest(); await sleep(500); } })();

  // all up: a few messages go straight through
  await operationFailed();
  await emitFor(1_000);
  const before = scans;

  // down: the receiver refuses (then answers 503), SMTP is stopped, Slack throttles
  const okUntil = rx.requests.length;
  await Promise.all([hook.down(), smtp.stop()]);
  slack.rateLimitNext(1_000_000, 1);
  const downAt = Date.now();
  await operationFailed();
  await emitFor(OUTAGE_MS / 2);
  await hook.up();
  rx.failWith(503);
  await emitFor(OUTAGE_MS / 2);
  const outageMs = Date.now() - downAt;
  const during = scans - before;

  // back: the receiver and SMTP, events still coming; Slack later
  const failedUntil = rx.requests.length;
  rx.recover();
  await smtp.start();
  const upAt = Date.now();
  await emitFor(Math.max(1_000, SLACK_THROTTLE_MS - (Date.now() - downAt)));
  const throttled = slack.requests.length - slack.messages.length;
  slack.rateLimitNext(0);
  const slackUpAt = Date.now();
  await operationFailed();

  const expected = { WEBHOOKS: scans, MAIL: scans, SLACK: failures };
  await waitFor(async () => {
    const d = await systemDeliveries();
    return d.length === scans * 2 + failures && d.every((x) => x.status === 'SENT' || x.status === 'DEAD');
  }, 'every delivery to be sent', 60_000 + 4 * OUTAGE_MS);
  const drainedMs = Date.now() - slackUpAt;
  clock = false;
  await restClock;

  const all = await systemDeliveries();
  const dead = await t.sql(`SELECT id, method::text, attempts, "lastError" FROM "Delivery" WHERE status = 'DEAD'`);
  expect(dead).toEqual([]);
  const byMethod = (m: string) => all.filter((d) => d.method === m);
  for (const [m, n] of Object.entries(expected)) expect(byMethod(m).map((d) => d.status), m).toEqual(Array(n).fill('SENT'));

  // webhook: each delivery answered 2xx exactly once, in delivery (= event) order
  const answered = [...rx.requests.slice(0, okUntil), ...rx.requests.slice(failedUntil)].filter((r) => r.headers['x-tributary-event'] === 'scan_added');
  const hookIds = byMethod('WEBHOOKS').map((d) => d.id);
  expect(answered.map((r) => r.headers['idempotency-key'])).toEqual(hookIds.map((id) => `tributary-delivery-${id}`));
  expect(answered.map((r) => r.json.counts.new)).toEqual(Array.from({ length: scans }, (_, i) => i + 1));
  // mail: every delivery's Message-ID arrived; a second copy only of a message acknowledged on a
  // connection the stop cut (its 250 lost on the way), which a mail client folds by Message-ID
  const mails = smtp.inbox.filter((m) => m.to.includes(MAIL_TO));
  expect([...new Set(mails.map((m) => m.messageId))].sort()).toEqual(byMethod('MAIL').map((d) => `<tributary-delivery-${d.id}@example.test>`).sort());
  const firstCopy = new Map<string, string>();
  const resent = mails.filter((m) => { if (firstCopy.has(m.messageId)) return true; firstCopy.set(m.messageId, m.session); return false; });
  for (const m of resent) expect(smtp.cutSessions, `the first copy of ${m.messageId}`).toContain(firstCopy.get(m.messageId));
  // Slack: each message posted once
  const posted = slack.messages.filter((m) => m.postedTo === CHANNEL).map((m) => /outage message (\d+)/.exec(JSON.stringify([m.text, m.blocks]))?.[1]).map(Number);
  expect([...posted].sort((a, b) => a - b)).toEqual(Array.from({ length: failures }, (_, i) => i + 1));

  const maxAttempts = (m: string) => Math.max(...byMethod(m).map((d) => d.attempts));
  console.log(`[delivery-outages] webhook refused then 503 and SMTP stopped for ${outageMs} ms, Slack 429 (Retry-After: 1) for ${slackUpAt - downAt} ms, backoff ${BACKOFF_MS} ms: `
    + `${scans} webhook + ${scans} mail messages (${during} each during the outage) and ${failures} Slack (1 throttled), all sent ${drainedMs} ms after Slack's recovery `
    + `(webhook and mail ${upAt - downAt} ms into the test); webhook and Slack duplicates 0, DEAD 0; most attempts: webhook ${maxAttempts('WEBHOOKS')}, mail ${maxAttempts('MAIL')}, Slack ${maxAttempts('SLACK')}; `
    + `webhook ${failedUntil - okUntil} × 503 answered, Slack ${throttled} × 429; mails cut off before their 250 (sent again): ${smtp.unacknowledged}, `
    + `mails whose 250 was lost in the cut (a second copy, same Message-ID): ${resent.length}`);
}, 120_000 + 3 * SLACK_THROTTLE_MS);

