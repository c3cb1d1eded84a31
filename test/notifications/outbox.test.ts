// Notifications end to end through the worker: events written in the causing transaction are
// dispatched by settings (system, personal, per-product, template, the system-level override, the
// minimum severity) to the people allowed to see them, and delivered as alerts for the bell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ADD_PRODUCT_MEMBER, CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { codes, firstError, rowId } from '../support/graphql.ts';
import { sleep, waitFor } from '../support/wait.ts';

const UPDATE_SETTINGS = /* GraphQL */ `
  mutation($i: UpdateNotificationSettingsInput!) {
    updateNotificationSettings(input: $i) { settings { scope events { event methods minimumSeverity } } }
  }`;
const SETTINGS = /* GraphQL */ `
  query($scope: NotificationScope!, $productId: ID) {
    notificationSettings(scope: $scope, productId: $productId) { scope product { name } events { event methods minimumSeverity } }
  }`;
const ALERTS = /* GraphQL */ `
  { alerts(first: 50) { unreadCount totalCount nodes { id event title description url readAt } } }`;
const MARK_READ = /* GraphQL */ `
  mutation($i: MarkAlertsReadInput!) { markAlertsRead(input: $i) { unreadCount } }`;

const PASSWORD = 'notification-tests-pw';
let t: TestApp;
let admin: string;
let productId: string;
let testId: string;
const users: Record<string, { id: string; token: string }> = {};

async function user(name: string, extra: Record<string, unknown> = {}) {
  const email = `${name}@example.com`;
  const id = (await t.ok(CREATE_USER, { i: { email, name, password: PASSWORD, ...extra } }, admin)).createUser.user.id;
  users[name] = { id, token: await t.login(email, PASSWORD) };
  return users[name]!;
}

const settings = (token: string, scope: string, events: Array<{ event: string; methods: string[]; minimumSeverity?: string }>, product?: string) =>
  t.gql(UPDATE_SETTINGS, { i: { scope, productId: product ?? null, events } }, token);

async function alertsOf(name: string) {
  return (await t.ok(ALERTS, {}, users[name]!.token)).alerts;
}

/** writes an event as the engine does (in SQL) and waits until the worker has dispatched and delivered it */
async function emit(name: string, product: number | null, payload: Record<string, unknown>): Promise<number> {
  const [row] = await t.sql<{ id: number }>('INSERT INTO "NotificationEvent" (name, "productId", payload) VALUES ($1, $2, $3) RETURNING id', [name, product, payload]);
  await waitFor(async () => {
    const [e] = await t.sql<{ done: boolean }>(`SELECT "dispatchedAt" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Delivery" WHERE status IN ('PENDING', 'FAILED')) AS done FROM "NotificationEvent" WHERE id = $1`, [row!.id]);
    return e?.done;
  }, `event ${row!.id} to be delivered`);
  return row!.id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { TRIBUTARY_PUBLIC_URL: 'https://tributary.example.com' } });
  admin = await t.login();
  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id;
  const engagementId = (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Global Connectors' } }, admin)).createEngagement.engagement.id;
  testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Scans' } }, admin)).createTest.test.id;
  for (const name of ['reader', 'outsider', 'quiet']) await user(name);
  for (const name of ['reader', 'quiet']) await t.ok(ADD_PRODUCT_MEMBER, { i: { productId, userId: users[name]!.id, role: 'READER' } }, admin);
});
afterAll(async () => { await t?.stop(); });

describe('settings', () => {
  it('reads and writes each scope, with every event listed, and refuses what is not yours', async () => {
    const r = await settings(users.reader!.token, 'PERSONAL', [{ event: 'scan_added', methods: ['ALERT', 'MAIL'], minimumSeverity: 'HIGH' }]);
    expect(r.errors).toBeUndefined();
    const read = (await t.ok(SETTINGS, { scope: 'PERSONAL' }, users.reader!.token)).notificationSettings;
    expect(read.events.find((e: { event: string }) => e.event === 'scan_added')).toEqual({ event: 'scan_added', methods: ['ALERT', 'MAIL'], minimumSeverity: 'HIGH' });
    expect(read.events.find((e: { event: string }) => e.event === 'record_new')).toEqual({ event: 'record_new', methods: [], minimumSeverity: null });
    expect(read.events).toHaveLength(22);

    const product = (await t.ok(SETTINGS, { scope: 'PRODUCT', productId }, users.reader!.token)).notificationSettings;
    expect(product.product).toEqual({ name: 'Shop' });
    expect(codes(await t.gql(SETTINGS, { scope: 'PRODUCT', productId }, users.outsider!.token))).toEqual(['NOT_FOUND']);
    expect(codes(await settings(users.reader!.token, 'SYSTEM', [{ event: 'other', methods: ['ALERT'] }]))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(SETTINGS, { scope: 'TEMPLATE' }, users.reader!.token))).toEqual(['FORBIDDEN']);
    const bad = await settings(users.reader!.token, 'PERSONAL', [{ event: 'scan_added', methods: ['ALERT'] }, { event: 'nope', methods: ['ALERT'] }]);
    expect(firstError(bad)).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['events[1].event'] });
    // nothing half-written: the first, valid entry was not applied either
    expect((await t.ok(SETTINGS, { scope: 'PERSONAL' }, users.reader!.token)).notificationSettings.events.find((e: { event: string }) => e.event === 'scan_added').methods).toEqual(['ALERT', 'MAIL']);
  });

  it('offers each scope its methods and says which events take a minimum severity; Teams and webhooks are refused outside SYSTEM', async () => {
    const Q = 'query($s: NotificationScope!) { notificationSettings(scope: $s) { availableMethods events { event takesMinimumSeverity } } }';
    const system = (await t.ok(Q, { s: 'SYSTEM' }, admin)).notificationSettings;
    expect(system.availableMethods).toEqual(['ALERT', 'MAIL', 'SLACK', 'MSTEAMS', 'WEBHOOKS']);
    const personal = (await t.ok(Q, { s: 'PERSONAL' }, users.reader!.token)).notificationSettings;
    expect(personal.availableMethods).toEqual(['ALERT', 'MAIL', 'SLACK']);
    expect(personal.events.filter((e: { takesMinimumSeverity: boolean }) => e.takesMinimumSeverity).map((e: { event: string }) => e.event)).toEqual(['scan_added', 'sla_breach', 'sla_breach_combined']);
    for (const scope of ['PERSONAL', 'TEMPLATE'] as const) {
      const refused = await settings(scope === 'PERSONAL' ? users.reader!.token : admin, scope, [{ event: 'scan_added', methods: ['ALERT', 'WEBHOOKS'] }]);
      expect(firstError(refused), scope).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['events[0].methods'] });
      expect(firstError(refused).message).toMatch(/WEBHOOKS is the system's own/);
    }
  });

  it('copies the template to every new user', async () => {
    expect((await settings(admin, 'TEMPLATE', [{ event: 'record_missing', methods: ['ALERT'] }])).errors).toBeUndefined();
    const fresh = await user('fresh');
    const events = (await t.ok(SETTINGS, { scope: 'PERSONAL' }, fresh.token)).notificationSettings.events;
    expect(events.find((e: { event: string }) => e.event === 'record_missing').methods).toEqual(['ALERT']);
  });
});

describe('delivery to the bell', () => {
  it('alerts the members who asked, not someone who may not see the product, nor a member who opted out there', async () => {
    for (const name of ['reader', 'outsider', 'quiet']) await settings(users[name]!.token, 'PERSONAL', [{ event: 'scan_added', methods: ['ALERT'] }]);
    // quiet turns it off for this product only
    await settings(users.quiet!.token, 'PRODUCT', [{ event: 'scan_added', methods: [] }], productId);
    await emit('scan_added', rowId(productId), { new: 0, closed: 1, reactivated: 0, untouched: 4 });
    const reader = await alertsOf('reader');
    expect(reader.nodes).toHaveLength(1);
    expect(reader.nodes[0]).toMatchObject({ event: 'scan_added', title: 'A connector: 1 closed in Shop', url: `https://tributary.example.com/products/${rowId(productId)}`, readAt: null });
    expect(reader.unreadCount).toBe(1);
    expect((await alertsOf('outsider')).totalCount).toBe(0);
    expect((await alertsOf('quiet')).totalCount).toBe(0);
  });

  it('keeps only the findings at or above a setting’s minimum severity, and sends nothing when none is left', async () => {
    const high = (await t.ok(CREATE_FINDING, { i: { testId, title: 'SQL injection', severity: 'HIGH' } }, admin)).createFinding.finding.id;
    const low = (await t.ok(CREATE_FINDING, { i: { testId, title: 'Verbose header', severity: 'LOW' } }, admin)).createFinding.finding.id;
    const [imp] = await t.sql<{ id: number }>('INSERT INTO "TestImport" ("testId", "newIds") VALUES ($1, $2) RETURNING id', [rowId(testId), [rowId(high), rowId(low)]]);
    await settings(users.reader!.token, 'PERSONAL', [{ event: 'scan_added', methods: ['ALERT'], minimumSeverity: 'CRITICAL' }]);
    const before = (await alertsOf('reader')).totalCount;
    await emit('scan_added', rowId(productId), { testImportId: imp!.id, new: 2, closed: 0, reactivated: 0, untouched: 0 });
    expect((await alertsOf('reader')).totalCount).toBe(before);

    await settings(users.reader!.token, 'PERSONAL', [{ event: 'scan_added', methods: ['ALERT'], minimumSeverity: 'HIGH' }]);
    const id = await emit('scan_added', rowId(productId), { testImportId: imp!.id, new: 2, closed: 0, reactivated: 0, untouched: 0 });
    expect((await alertsOf('reader')).totalCount).toBe(before + 1);
    const [delivery] = await t.sql<{ payload: any }>(`SELECT d.payload FROM "Delivery" d JOIN "User" u ON u.id = d."userId" WHERE u.email = 'reader@example.com' AND d.payload->'message'->>'eventId' = $1`, [String(id)]);
    expect(delivery!.payload.message.findings).toEqual([{ id: rowId(high), title: 'SQL injection', severity: 'HIGH', status: 'new' }]);
  });

  it('lets the system settings override a personal opt-out for the trump events only', async () => {
    expect((await settings(admin, 'SYSTEM', [{ event: 'user_mentioned', methods: ['ALERT'] }, { event: 'product_type_added', methods: ['ALERT'] }])).errors).toBeUndefined();
    await settings(users.outsider!.token, 'PERSONAL', [{ event: 'user_mentioned', methods: [] }, { event: 'product_type_added', methods: [] }]);
    const before = (await alertsOf('outsider')).totalCount;
    await emit('user_mentioned', null, { title: 'You were mentioned', description: 'in a note' });
    expect((await alertsOf('outsider')).totalCount).toBe(before + 1);
    await emit('product_type_added', null, { title: 'A product type' });
    expect((await alertsOf('outsider')).totalCount).toBe(before + 1);
  });

  it('announces a product created through the API, and marks alerts read one by one or all at once', async () => {
    await settings(users.reader!.token, 'PERSONAL', [{ event: 'engagement_added', methods: ['ALERT'] }]);
    const before = await alertsOf('reader');
    await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Pentest 2027' } }, admin);
    // wait for this alert itself: the trump test's user_mentioned (sent to everyone) may still be on its
    // way; one user's alerts share a queue in event order, so once this one is in, that one is too
    const after = await waitFor(async () => { const a = await alertsOf('reader'); return a.nodes.some((n: { event: string }) => n.event === 'engagement_added') && a; }, 'the engagement_added alert');
    expect(after.totalCount).toBeGreaterThan(before.totalCount);
    const alert = after.nodes.find((n: { event: string }) => n.event === 'engagement_added');
    expect(alert).toMatchObject({ event: 'engagement_added', title: 'Engagement Pentest 2027 added to Shop' });

    const one = await t.ok(MARK_READ, { i: { ids: [alert.id] } }, users.reader!.token);
    expect(one.markAlertsRead.unreadCount).toBe(after.unreadCount - 1);
    expect(codes(await t.gql(MARK_READ, { i: { ids: [alert.id] } }, users.outsider!.token))).toEqual([]);
    expect((await t.ok(MARK_READ, { i: { all: true } }, users.reader!.token)).markAlertsRead.unreadCount).toBe(0);
    expect(codes(await t.gql(MARK_READ, { i: {} }, users.reader!.token))).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps at most TRIBUTARY_ALERTS_PER_USER alerts, dropping the oldest', async () => {
    const small = await startTestApp({ env: { TRIBUTARY_ALERTS_PER_USER: '3' } });
    try {
      const token = await small.login();
      await small.ok(UPDATE_SETTINGS, { i: { scope: 'PERSONAL', events: [{ event: 'other', methods: ['ALERT'] }] } }, token);
      for (let i = 0; i < 5; i++) await small.sql(`INSERT INTO "NotificationEvent" (name, payload) VALUES ('other', $1)`, [{ title: `number ${i}` }]);
      const titles = await waitFor(async () => {
        const a = (await small.ok(ALERTS, {}, token)).alerts;
        const [{ n }] = await small.sql<{ n: number }>(`SELECT count(*)::int n FROM "Delivery" WHERE status = 'SENT'`);
        return n === 5 && a.nodes.map((x: { title: string }) => x.title);
      }, 'five deliveries');
      expect(titles).toEqual(['number 4', 'number 3', 'number 2']);
    } finally {
      await small.stop();
    }
  });
});

describe('mentions and review requests', () => {
  it('tells the users @mentioned in a note who may see the finding, and the reviewers asked', async () => {
    const finding = (await t.ok(CREATE_FINDING, { i: { testId, title: 'Open redirect', severity: 'MEDIUM' } }, admin)).createFinding.finding.id;
    for (const name of ['reader', 'outsider']) await settings(users[name]!.token, 'PERSONAL', [{ event: 'user_mentioned', methods: ['ALERT'] }, { event: 'review_requested', methods: ['ALERT'] }]);
    const before = { reader: (await alertsOf('reader')).totalCount, outsider: (await alertsOf('outsider')).totalCount };
    await t.ok('mutation($i: AddFindingNoteInput!) { addFindingNote(input: $i) { finding { id } } }',
      { i: { findingId: finding, text: 'Can @reader@example.com check this? cc @outsider and @nobody' } }, admin);
    const mention = await waitFor(async () => (await alertsOf('reader')).nodes.find((a: { title: string }) => a.title.endsWith('mentioned you on "Open redirect"')), 'the mention alert');
    expect(mention).toMatchObject({ event: 'user_mentioned', title: 'Administrator mentioned you on "Open redirect"' });
    expect(mention.url).toBe(`https://tributary.example.com/findings/${rowId(finding)}`);

    await t.ok('mutation($i: RequestFindingReviewInput!) { requestFindingReview(input: $i) { finding { underReview } } }',
      { i: { findingId: finding, reviewerIds: [users.reader!.id, users.outsider!.id], note: 'is this exploitable?' } }, admin);
    const review = await waitFor(async () => (await alertsOf('reader')).nodes.find((a: { event: string }) => a.event === 'review_requested'), 'the review alert');
    expect(review).toMatchObject({ title: expect.stringMatching(/asks you to review "Open redirect"$/), description: 'is this exploitable?' });
    expect((await alertsOf('reader')).totalCount).toBe(before.reader + 2);
    // the outsider may not see the product: neither the mention nor the request reaches them
    await sleep(300);
    expect((await alertsOf('outsider')).totalCount).toBe(before.outsider);
  });
});

describe('the delivery log', () => {
  it('is the superuser’s', async () => {
    await sleep(10);
    const log = await t.ok('{ deliveries(first: 5, filter: { method: ALERT, status: SENT }) { totalCount nodes { event method status attempts } } }', {}, admin);
    expect(log.deliveries.totalCount).toBeGreaterThan(3);
    expect(log.deliveries.nodes[0]).toMatchObject({ method: 'ALERT', status: 'SENT', attempts: 1 });
    expect((await t.ok('{ deliveries(first: 5) { totalCount } }', {}, users.reader!.token)).deliveries.totalCount).toBe(0);
  });
});
