// Webhooks end to end at the channel and API level: the ping before saving (and each way it fails),
// the write-only encrypted header value, the DefectDojo-compatible body and headers sendWebhook
// sends, each state transition through real sends, retryable vs permanent failures, and no secret
// in any error. The delivery loop's retries are the notifications core's tests.
import type { Delivery } from '@tributary/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhook, PARKED_RETRY_MS } from '@tributary/server/notifications/channels/webhook.ts';
import type { DeliveryPayload, NotificationMessage } from '@tributary/server/notifications/message.ts';
import { DeliveryError } from '@tributary/server/notifications/message.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';

const SECRET = 'Bearer s3cr3t-webhook-token-42';
const CREATE = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id name url status hasHeaderValue headerName note firstErrorAt lastErrorAt createdAt } } }';
const UPDATE = 'mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { id url status hasHeaderValue headerName note } } }';

let t: TestApp;
let admin: string;
let rx: WebhookReceiver;
let serial = 0;
const receivers: WebhookReceiver[] = [];

async function receiver() {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function createHook(url: string, extra: Record<string, unknown> = { headerName: 'Authorization', headerValue: SECRET }) {
  return t.gql(CREATE, { i: { name: `hook ${++serial}`, url, ...extra } }, admin);
}

async function hookRow(id: number) {
  return (await t.sql('SELECT * FROM "Webhook" WHERE id = $1', [id]))[0];
}

const num = (gid: string) => Number(Buffer.from(gid, 'base64').toString().split(':')[1]);

beforeAll(async () => {
  t = await startTestApp({ role: 'api', env: { TRIBUTARY_PUBLIC_URL: 'https://tributary.example.com' } });
  admin = await t.login();
  rx = await receiver();
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t?.stop();
});

afterEach(() => {
  rx.recover();
  delete process.env.TRIBUTARY_HTTP_TIMEOUT_MS;
});

describe('createWebhook', () => {
  it('pings the endpoint (DefectDojo\'s ping body and headers, the auth header) and saves it on a 2xx', async () => {
    const before = rx.requests.length;
    const r = await createHook(`${rx.url}/hooks/a`);
    expect(r.errors).toBeUndefined();
    expect(r.data.createWebhook.webhook).toMatchObject({ url: `${rx.url}/hooks/a`, status: 'ACTIVE', hasHeaderValue: true, headerName: 'Authorization', note: null, firstErrorAt: null });
    const ping = rx.requests.slice(before);
    expect(ping).toHaveLength(1);
    expect(ping[0]).toMatchObject({ method: 'POST', path: '/hooks/a' });
    expect(ping[0]!.json).toEqual({ description: 'Test webhook notification', title: '', user: null, event: 'ping' });
    expect(ping[0]!.headers).toMatchObject({ 'x-tributary-event': 'ping', 'x-defectdojo-event': 'ping', 'content-type': 'application/json', authorization: SECRET });
    expect(ping[0]!.headers['user-agent']).toMatch(/^Tributary-/);
  });

  it.each([
    ['a 500', async () => { const r = await receiver(); r.failWith(500); return r.url; }, /HTTP 500/],
    ['a 302', async () => { const r = await receiver(); r.failWith(302, { headers: { location: 'https://elsewhere.example.com/' } }); return r.url; }, /HTTP 302 \(a redirect/],
    ['a 404', async () => { const r = await receiver(); r.failWith(404); return r.url; }, /HTTP 404/],
    ['a refused connection', async () => { const r = await startWebhookReceiver(); await r.close(); return r.url; }, /connection refused/],
    ['the cloud metadata address', async () => 'http://169.254.169.254/latest/meta-data', /link-local or cloud-metadata/],
    ['an ftp:// URL', async () => 'ftp://files.example.com/hook', /http or https/],
    ['a URL with credentials', async () => `http://user:pw@127.0.0.1:9/`, /user name or password/],
    ['a URL over 2,000 characters', async () => `https://example.com/${'a'.repeat(2000)}`, /2000/],
  ])('refuses %s with BAD_USER_INPUT naming url, and saves nothing', async (_what, url, reason) => {
    const [{ count: before }] = await t.sql('SELECT count(*)::int AS count FROM "Webhook"');
    const r = await createHook(await url());
    expect(r.data?.createWebhook ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.errors![0]!.message).toMatch(reason);
    // the rule's checks name `url`; zod's length check names `input.url`
    expect(r.errors![0]!.extensions?.fields).toEqual([expect.stringMatching(/^(input\.)?url$/)]);
    expect(r.errors![0]!.message).not.toContain('s3cr3t');
    const [{ count: after }] = await t.sql('SELECT count(*)::int AS count FROM "Webhook"');
    expect(after).toBe(before);
  });

  it('refuses an endpoint that does not answer in time', async () => {
    process.env.TRIBUTARY_HTTP_TIMEOUT_MS = '300';
    const slow = await receiver();
    slow.hang();
    const r = await createHook(slow.url);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: ['url'] } });
    expect(r.errors![0]!.message).toMatch(/no answer within 300 ms/);
  });

  it('never shows the header value, even when the endpoint echoes it back in a refusal', async () => {
    const echo = await receiver();
    echo.failWith(401, { body: `token ${SECRET} is not valid` });
    const r = await createHook(echo.url);
    expect(r.errors![0]!.message).toMatch(/HTTP 401 \(the auth header was rejected\)/);
    expect(r.errors![0]!.message).not.toContain('s3cr3t');
    expect(r.errors![0]!.message).toContain('[redacted]');
  });

  it('a name already taken: BAD_USER_INPUT naming name, before any ping', async () => {
    const first = await createHook(rx.url);
    const name = first.data.createWebhook.webhook.name;
    const before = rx.requests.length;
    const r = await t.gql(CREATE, { i: { name, url: rx.url } }, admin);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: ['name'] } });
    expect(rx.requests.length).toBe(before);
  });

  it('a header value without a header name, a reserved or malformed header name, a value with a line break: named errors', async () => {
    for (const [extra, field] of [
      [{ headerValue: 'x' }, 'headerValue'],
      [{ headerName: 'Idempotency-Key', headerValue: 'x' }, 'headerName'],
      [{ headerName: 'Bad Header', headerValue: 'x' }, 'headerName'],
      [{ headerName: 'X-Token', headerValue: 'a\r\nInjected: yes' }, 'headerValue'],
      [{ headerName: 'X-Token' }, 'headerValue'],
    ] as const) {
      const r = await createHook(rx.url, extra);
      expect(r.errors?.[0], JSON.stringify(extra)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: [field] } });
    }
  });

  it('stores the header value encrypted, and the API only says that there is one', async () => {
    const r = await createHook(rx.url);
    const id = num(r.data.createWebhook.webhook.id);
    const row = await hookRow(id);
    expect(row.headerValueCiphertext).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain('s3cr3t');
    expect(t.app.services.secrets.open(row.headerValueCiphertext)).toBe(SECRET);
    const listed = await t.gql('{ webhooks(first: 100) { totalCount nodes { id hasHeaderValue headerName } } }', undefined, admin);
    expect(JSON.stringify(listed)).not.toContain('s3cr3t');
    expect(listed.data.webhooks.nodes.find((n: { id: string }) => num(n.id) === id)).toMatchObject({ hasHeaderValue: true, headerName: 'Authorization' });
  });

  it('is for superusers only: others get FORBIDDEN and see no webhooks', async () => {
    await t.ok('mutation { createUser(input: { email: "plain@example.com", password: "plain user password" }) { user { id } } }', undefined, admin);
    const plain = await t.login('plain@example.com', 'plain user password');
    const r = await t.gql(CREATE, { i: { name: 'nope', url: rx.url } }, plain);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.ok('{ webhooks { totalCount } }', undefined, plain)).webhooks.totalCount).toBe(0);
  });
});

describe('updateWebhook, testWebhook, deleteWebhook', () => {
  it('a URL on another server needs the header value again; the new URL is pinged', async () => {
    const id = (await createHook(`${rx.url}/one`)).data.createWebhook.webhook.id;
    const other = await receiver(); // another port: another origin
    const refused = await t.gql(UPDATE, { i: { id, url: other.url } }, admin);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: ['headerValue'] } });
    // same origin, other path: the stored value goes along, and the new URL is pinged with it
    const before = rx.requests.length;
    const moved = await t.gql(UPDATE, { i: { id, url: `${rx.url}/two` } }, admin);
    expect(moved.errors).toBeUndefined();
    expect(rx.requests.slice(before).map((q) => [q.path, q.headers.authorization])).toEqual([['/two', SECRET]]);
    const again = await t.gql(UPDATE, { i: { id, url: other.url, headerValue: 'new-value-1234' } }, admin);
    expect(again.errors).toBeUndefined();
    expect(other.requests.at(-1)!.headers.authorization).toBe('new-value-1234');
    // a rename alone pings nothing
    const count = other.requests.length;
    await t.ok(UPDATE, { i: { id, name: `renamed ${++serial}` } }, admin);
    expect(other.requests.length).toBe(count);
  });

  it('a changed URL that fails its ping changes nothing', async () => {
    const id = (await createHook(rx.url, {})).data.createWebhook.webhook.id;
    const bad = await receiver();
    bad.failWith(503);
    const r = await t.gql(UPDATE, { i: { id, url: bad.url } }, admin);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: ['url'] } });
    expect((await hookRow(num(id))).url).toBe(rx.url);
  });

  it('active: false switches it off (INACTIVE_PERMANENT), true back on (ACTIVE, errors cleared)', async () => {
    const id = (await createHook(rx.url, {})).data.createWebhook.webhook.id;
    expect((await t.ok(UPDATE, { i: { id, active: false } }, admin)).updateWebhook.webhook).toMatchObject({ status: 'INACTIVE_PERMANENT', note: 'Switched off by an admin' });
    await t.sql('UPDATE "Webhook" SET "firstErrorAt" = now(), "lastErrorAt" = now() WHERE id = $1', [num(id)]);
    expect((await t.ok(UPDATE, { i: { id, active: true } }, admin)).updateWebhook.webhook).toMatchObject({ status: 'ACTIVE', note: 'Reactivated by an admin' });
    expect(await hookRow(num(id))).toMatchObject({ firstErrorAt: null, lastErrorAt: null });
  });

  it('testWebhook answers ok/message and leaves the state alone; deleteWebhook removes it', async () => {
    const id = (await createHook(rx.url)).data.createWebhook.webhook.id;
    const test = 'mutation($id: ID!) { testWebhook(input: { id: $id }) { ok message } }';
    expect((await t.ok(test, { id }, admin)).testWebhook).toMatchObject({ ok: true, message: expect.stringMatching(/HTTP 200/) });
    rx.failWith(500, { body: `echo ${SECRET}` });
    const failed = (await t.ok(test, { id }, admin)).testWebhook;
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/HTTP 500/);
    expect(failed.message).not.toContain('s3cr3t');
    expect((await hookRow(num(id))).status).toBe('ACTIVE');
    expect((await t.ok('mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedId } }', { id }, admin)).deleteWebhook.deletedId).toBe(id);
    expect(await hookRow(num(id))).toBeUndefined();
  });
});

// ——— the channel, called as the delivery loop calls it ———

const message: NotificationMessage = {
  eventId: 41,
  event: 'scan_added',
  title: 'Scans: 1 new, 1 closed in payments-api',
  description: 'A sync of Scans reimported payments-api: 1 new finding, 1 closed, 0 reopened, 1 unchanged.',
  url: 'https://tributary.example.com/products/7',
  product: { id: 7, name: 'payments-api' },
  findings: [
    { id: 501, title: 'CVE-2026-0001 in openssl', severity: 'CRITICAL', status: 'new' },
    { id: 377, title: 'CVE-2025-1111 in zlib', severity: 'MEDIUM', status: 'closed' },
    { id: 380, title: 'Weak TLS cipher', severity: 'LOW', status: 'untouched' },
  ],
  counts: { new: 1, closed: 1, reactivated: 0, untouched: 1 },
  occurredAt: '2026-03-01T12:00:00.000Z',
};

async function channelHook(url: string, header = true): Promise<number> {
  const r = await createHook(url, header ? { headerName: 'X-Hook-Token', headerValue: SECRET } : {});
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return num(r.data.createWebhook.webhook.id);
}

async function delivery(webhookId: number, msg: NotificationMessage = message): Promise<Delivery> {
  const payload: DeliveryPayload = { message: msg };
  const [row] = await t.sql('INSERT INTO "Delivery" (event, method, "webhookId", payload) VALUES ($1, \'WEBHOOKS\', $2, $3) RETURNING id', [msg.event, webhookId, JSON.stringify(payload)]);
  return t.app.services.prisma.delivery.findUniqueOrThrow({ where: { id: row.id } });
}

async function send(d: Delivery): Promise<DeliveryError | null> {
  const services = t.app.services;
  const system = await services.prisma.systemSettings.upsert({ where: { id: 1 }, create: {}, update: {} });
  try {
    await sendWebhook({ services, delivery: d, payload: d.payload as unknown as DeliveryPayload, system });
    return null;
  } catch (e) {
    if (!(e instanceof DeliveryError)) throw e;
    return e;
  }
}

describe('sendWebhook', () => {
  it('POSTs a DefectDojo-compatible scan_added body with the event, instance and idempotency headers', async () => {
    const id = await channelHook(`${rx.url}/in`);
    const d = await delivery(id);
    const before = rx.requests.length;
    expect(await send(d)).toBeNull();
    const [got] = rx.requests.slice(before);
    expect(got!.headers).toMatchObject({
      'x-tributary-event': 'scan_added', 'x-tributary-instance': 'https://tributary.example.com',
      'x-defectdojo-event': 'scan_added', 'x-defectdojo-instance': 'https://tributary.example.com',
      'idempotency-key': `tributary-delivery-${d.id}`, 'content-type': 'application/json', accept: 'application/json', 'x-hook-token': SECRET,
    });
    const link = (p: string) => `https://tributary.example.com${p}`;
    expect(got!.json).toEqual({
      description: message.description, title: message.title, user: null, url_ui: message.url,
      event: 'scan_added', event_id: 41, occurred_at: message.occurredAt,
      product: { id: 7, name: 'payments-api', url_ui: link('/products/7') },
      finding_count: 2,
      findings: {
        new: [{ id: 501, title: 'CVE-2026-0001 in openssl', severity: 'Critical', url_ui: link('/findings/501') }],
        reactivated: [],
        mitigated: [{ id: 377, title: 'CVE-2025-1111 in zlib', severity: 'Medium', url_ui: link('/findings/377') }],
        untouched: [{ id: 380, title: 'Weak TLS cipher', severity: 'Low', url_ui: link('/findings/380') }],
      },
      counts: { new: 1, reactivated: 0, mitigated: 1, untouched: 1 },
    });
    // a clean ACTIVE endpoint after a success: nothing to write
    expect(await hookRow(id)).toMatchObject({ status: 'ACTIVE', note: null, firstErrorAt: null });
  });

  it('scan_added_empty keeps all four lists, empty; other events carry only the base keys', async () => {
    const id = await channelHook(rx.url, false);
    await send(await delivery(id, { ...message, event: 'scan_added_empty', findings: [], counts: { new: 0, closed: 0, reactivated: 0, untouched: 4 } }));
    expect(rx.requests.at(-1)!.json).toMatchObject({ finding_count: 0, findings: { new: [], reactivated: [], mitigated: [], untouched: [] } });
    await send(await delivery(id, { ...message, event: 'record_new', product: null, url: null, findings: [], counts: undefined }));
    const body = rx.requests.at(-1)!.json;
    expect(Object.keys(body).sort()).toEqual(['description', 'event', 'event_id', 'occurred_at', 'title', 'user']);
    expect(rx.requests.at(-1)!.headers['x-tributary-event']).toBe('record_new');
  });

  it('a 503 with Retry-After: retryable with the wait, INACTIVE_TMP; parked without a request for 60 s; back to ACTIVE on the next success', async () => {
    const r = await receiver();
    const id = await channelHook(r.url);
    r.failWith(503, { retryAfter: 7, times: 1 });
    const err = await send(await delivery(id));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(err!.message).toMatch(/HTTP 503/);
    const row = await hookRow(id);
    expect(row).toMatchObject({ status: 'INACTIVE_TMP' });
    expect(row.firstErrorAt).toBeInstanceOf(Date);
    expect(row.lastErrorAt).toEqual(row.firstErrorAt);
    expect(row.note).toMatch(/HTTP 503/);
    // resting: the delivery waits (not dropped) and the endpoint is not called
    const count = r.requests.length;
    const parked = await send(await delivery(id));
    expect(parked).toMatchObject({ retryable: true });
    expect(parked!.retryAfterMs).toBeGreaterThan(50_000);
    expect(parked!.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(r.requests.length).toBe(count);
    // 60 s later (ACTIVE_TMP) the next delivery is sent, and its success reactivates the endpoint
    await t.sql('UPDATE "Webhook" SET "lastErrorAt" = "lastErrorAt" - interval \'61 seconds\' WHERE id = $1', [id]);
    expect(await send(await delivery(id))).toBeNull();
    expect(await hookRow(id)).toMatchObject({ status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: 'Reactivated by a successful delivery (was ACTIVE_TMP)' });
  });

  it('ACTIVE_TMP + another temporary error keeps the first error; past 24 h it gives up (INACTIVE_PERMANENT)', async () => {
    const r = await receiver();
    const id = await channelHook(r.url);
    await t.sql(`UPDATE "Webhook" SET status = 'ACTIVE_TMP', "firstErrorAt" = now() - interval '2 hours', "lastErrorAt" = now() - interval '5 minutes' WHERE id = $1`, [id]);
    const first = (await hookRow(id)).firstErrorAt;
    r.failWith(500);
    expect(await send(await delivery(id))).toMatchObject({ retryable: true });
    expect(await hookRow(id)).toMatchObject({ status: 'INACTIVE_TMP', firstErrorAt: first });
    await t.sql(`UPDATE "Webhook" SET status = 'ACTIVE_TMP', "firstErrorAt" = now() - interval '25 hours', "lastErrorAt" = now() - interval '5 minutes' WHERE id = $1`, [id]);
    expect(await send(await delivery(id))).toMatchObject({ retryable: true });
    const row = await hookRow(id);
    expect(row.status).toBe('INACTIVE_PERMANENT');
    expect(row.note).toMatch(/more than 24 hours/);
  });

  it('429, a timeout and a refused connection are retryable (temporary); 4xx and a 3xx are not (INACTIVE_PERMANENT)', async () => {
    const cases: Array<[string, (r: WebhookReceiver) => Promise<string | void>, boolean, RegExp]> = [
      ['429', async (r) => r.failWith(429, { retryAfter: 2 }), true, /HTTP 429 \(rate limited\)/],
      ['timeout', async (r) => { process.env.TRIBUTARY_HTTP_TIMEOUT_MS = '300'; r.hang(); }, true, /no answer within 300 ms/],
      ['refused', async (r) => { await r.close(); }, true, /connection refused/],
      ['404', async (r) => r.failWith(404), false, /HTTP 404/],
      ['410', async (r) => r.failWith(410), false, /HTTP 410/],
      ['302', async (r) => r.failWith(302, { headers: { location: '/elsewhere' } }), false, /HTTP 302/],
    ];
    for (const [what, arrange, retryable, reason] of cases) {
      const r = await receiver();
      const id = await channelHook(r.url);
      await arrange(r);
      const before = r.requests.length;
      const err = await send(await delivery(id));
      expect(err, what).toBeInstanceOf(DeliveryError);
      expect(err!.retryable, what).toBe(retryable);
      expect(err!.message, what).toMatch(reason);
      expect((await hookRow(id)).status, what).toBe(retryable ? 'INACTIVE_TMP' : 'INACTIVE_PERMANENT');
      // a redirect is not followed: one request only
      if (what === '302') expect(r.requests.length - before).toBe(1);
      r.recover();
      delete process.env.TRIBUTARY_HTTP_TIMEOUT_MS;
    }
  });

  it('INACTIVE_PERMANENT holds its deliveries (retryable, no request) until an admin switches it on', async () => {
    const r = await receiver();
    const id = await channelHook(r.url);
    r.failWith(403, { times: 1 });
    expect(await send(await delivery(id))).toMatchObject({ retryable: false });
    const waiting = await delivery(id);
    const count = r.requests.length;
    const parked = await send(waiting);
    expect(parked).toMatchObject({ retryable: true, retryAfterMs: PARKED_RETRY_MS });
    expect(parked!.message).toMatch(/INACTIVE_PERMANENT.*waits until an admin reactivates it/);
    expect(r.requests.length).toBe(count);
    await t.ok(UPDATE, { i: { id: Buffer.from(`Webhook:${id}`).toString('base64'), active: true } }, admin);
    expect(await send(waiting)).toBeNull();
    expect(r.requests.at(-1)!.headers['idempotency-key']).toBe(`tributary-delivery-${waiting.id}`);
  });

  it('no secret in the error or the note, even when the endpoint echoes it', async () => {
    const r = await receiver();
    const id = await channelHook(r.url);
    r.failWith(500, { body: `got ${SECRET} and ${encodeURIComponent(SECRET)}` });
    const err = await send(await delivery(id));
    expect(err!.message).not.toContain('s3cr3t');
    expect(err!.message).toContain('[redacted]');
    expect((await hookRow(id)).note).not.toContain('s3cr3t');
  });

  it('a delivery whose webhook is gone is not retryable', async () => {
    const id = await channelHook(rx.url, false);
    const d = await delivery(id);
    await t.sql('DELETE FROM "Webhook" WHERE id = $1', [id]);
    expect(await send(d)).toMatchObject({ retryable: false });
  });
});
