// Engagements that close (by a user: close_engagement; by the hourly sweep once past their end:
// auto_close_engagement) and the instance's SLA days: set in the system settings, used for every
// new finding (a first sync, a later sync, one added by hand, a severity change) and moved onto
// the existing findings by a background job when they change.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSweeps } from '@tributary/server/notifications/sweeps.ts';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { codes, firstError, gid, rowId } from '../support/graphql.ts';
import { createTests, findings, pagesOf, reimportOptions } from '../support/reimport.ts';
import { waitFor } from '../support/wait.ts';

let t: TestApp;
let admin: string;
let productId: string;
const DAY = 86_400_000;
const NOW = new Date('2027-03-01T12:00:00Z');
const days = (n: number, from = NOW) => new Date(from.getTime() + n * DAY).toISOString();

const CLOSE = 'mutation($i: CloseEngagementInput!) { closeEngagement(input: $i) { engagement { id status closedAt } } }';
const REOPEN = 'mutation($i: ReopenEngagementInput!) { reopenEngagement(input: $i) { engagement { id status closedAt } } }';
const SETTINGS = 'mutation($i: UpdateSystemSettingsInput!) { updateSystemSettings(input: $i) { settings { slaCriticalDays slaHighDays slaMediumDays slaLowDays engagementAutoClose engagementAutoCloseDays } } }';

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login();
  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Shop' } }, admin)).createProduct.product.id;
});
afterAll(async () => { await t?.stop(); });

const events = (name: string) => t.sql<{ productId: number; payload: any }>('SELECT "productId", payload FROM "NotificationEvent" WHERE name = $1 ORDER BY id', [name]);
const engagement = async (name: string, targetEnd?: string) =>
  (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name, ...(targetEnd ? { targetStart: days(-30, new Date(targetEnd)), targetEnd } : {}) } }, admin)).createEngagement.engagement.id as string;

it('closes an engagement once (close_engagement reaches who asked for it on the product) and reopens it', async () => {
  await t.ok(CREATE_USER, { i: { email: 'maint@example.com', password: 'a long enough password' } }, admin);
  const maint = await t.login('maint@example.com', 'a long enough password');
  const maintGid = (await t.ok('{ viewer { id } }', {}, maint)).viewer.id;
  await t.ok('mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { role } } }', { i: { productId, userId: maintGid, role: 'MAINTAINER' } }, admin);
  await t.ok('mutation($p: ID!) { updateNotificationSettings(input: { scope: PRODUCT, productId: $p, events: [{ event: "close_engagement", methods: [ALERT] }] }) { settings { scope } } }', { p: productId }, maint);

  const id = await engagement('Pentest 2027');
  const closed = (await t.ok(CLOSE, { i: { id } }, maint)).closeEngagement.engagement;
  expect(closed.status).toBe('COMPLETED');
  expect(Date.parse(closed.closedAt)).toBeGreaterThan(Date.now() - 60_000);
  // closing again changes nothing and announces nothing
  expect((await t.ok(CLOSE, { i: { id } }, maint)).closeEngagement.engagement.closedAt).toBe(closed.closedAt);
  expect((await events('close_engagement')).map((e) => e.payload.title)).toEqual(['Engagement Pentest 2027 of Shop closed']);
  const alert = await waitFor(async () => (await t.ok('{ alerts(first: 5) { nodes { event title } } }', {}, maint)).alerts.nodes.find((a: { event: string }) => a.event === 'close_engagement'), 'the close alert');
  expect(alert.title).toBe('Engagement Pentest 2027 of Shop closed');
  expect((await t.sql('SELECT "userId" FROM "Alert" WHERE event = $1', ['close_engagement'])).map((r) => r.userId)).toEqual([rowId(maintGid)]);

  expect((await t.ok(REOPEN, { i: { id } }, maint)).reopenEngagement.engagement).toMatchObject({ status: 'IN_PROGRESS', closedAt: null });
});

it('auto-closes engagements the configured days past their end only when switched on, and announces neither closed engagement as stale', async () => {
  const longOver = rowId(await engagement('Audit 2026', days(-5)));
  const justOver = rowId(await engagement('Review', days(-1)));
  const closedByHand = await engagement('Done early', days(-2));
  await t.ok(CLOSE, { i: { id: closedByHand } }, admin);
  // DefectDojo's engagement_auto_close is off by default
  expect((await runSweeps(t.app.services, NOW)).autoClosed).toBe(0);
  await t.sql(`DELETE FROM "NotificationEvent" WHERE name = 'stale_engagement'`);

  const set = await t.ok(SETTINGS, { i: { engagementAutoClose: true, engagementAutoCloseDays: 3 } }, admin);
  expect(set.updateSystemSettings.settings).toMatchObject({ engagementAutoClose: true, engagementAutoCloseDays: 3 });
  expect(await runSweeps(t.app.services, NOW)).toMatchObject({ autoClosed: 1, stale: 1 });
  expect(await runSweeps(t.app.services, NOW)).toMatchObject({ autoClosed: 0, stale: 0 });
  const statuses = await t.sql<{ id: number; status: string; closedAt: Date | null }>('SELECT id, status, "closedAt" FROM "Engagement" WHERE id = ANY($1) ORDER BY id', [[longOver, justOver]]);
  expect(statuses.map((e) => [e.id, e.status, e.closedAt?.toISOString() ?? null])).toEqual([[longOver, 'COMPLETED', NOW.toISOString()], [justOver, 'IN_PROGRESS', null]]);
  const [auto] = await events('auto_close_engagement');
  expect(auto!.payload).toMatchObject({ engagementId: longOver, title: `Engagement Audit 2026 of Shop closed automatically (ended ${days(-5).slice(0, 10)})` });
  expect((await events('stale_engagement')).map((e) => e.payload.engagementId)).toEqual([justOver]);

  const bad = await t.gql(SETTINGS, { i: { engagementAutoCloseDays: -1 } }, admin);
  expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  expect(firstError(bad).message).toMatch(/engagementAutoCloseDays/);
});

it("uses the instance's SLA days for new findings — by hand, a first sync, a later sync, a severity change — and moves existing ones when they change", async () => {
  const engagementId = await engagement('Manual');
  const testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Scans' } }, admin)).createTest.test.id;
  const add = async (severity: string) => rowId((await t.ok(CREATE_FINDING, { i: { testId, title: `By hand ${severity}`, severity } }, admin)).createFinding.finding.id);
  const slaDays = async (id: number) => {
    const [r] = await t.sql<{ days: number }>(`SELECT extract(epoch FROM "slaExpirationDate" - "slaStartDate") / 86400 AS days FROM "Finding" WHERE id = $1`, [id]);
    return Number(r!.days);
  };
  // DefectDojo's defaults: Critical 7, High 30, Medium 90, Low 120; Info has none
  const high = await add('HIGH');
  expect([await slaDays(high), await slaDays(await add('CRITICAL')), await slaDays(await add('LOW'))]).toEqual([30, 7, 120]);
  expect((await t.sql('SELECT "slaExpirationDate" FROM "Finding" WHERE id = $1', [await add('INFO')]))[0].slaExpirationDate).toBeNull();

  const set = await t.ok(SETTINGS, { i: { slaHighDays: 10, slaCriticalDays: 2 } }, admin);
  expect(set.updateSystemSettings.settings).toMatchObject({ slaCriticalDays: 2, slaHighDays: 10, slaMediumDays: 90, slaLowDays: 120 });
  // the existing High finding is moved by the recompute job
  await waitFor(async () => (await slaDays(high)) === 10, 'the recomputed SLA');
  expect(await slaDays(await add('HIGH'))).toBe(10);
  // a severity change restarts nothing but moves the end to the new severity's days
  await t.ok('mutation($i: UpdateFindingInput!) { updateFinding(input: $i) { finding { id } } }', { i: { id: gid('Finding', high), severity: 'CRITICAL' } }, admin);
  expect(await slaDays(high)).toBe(2);

  // both reimport paths: the first sync into an empty test, then a later one adding findings
  const [syncTest] = await createTests(t.app.services.pool);
  await reimport(t.app.services.pool, reimportOptions(syncTest!), pagesOf(findings(0, 3)));
  await reimport(t.app.services.pool, reimportOptions(syncTest!), pagesOf(findings(0, 5, { severity: 'CRITICAL' })));
  const synced = await t.sql<{ title: string; days: number }>(`SELECT title, extract(epoch FROM "slaExpirationDate" - "slaStartDate") / 86400 AS days FROM "Finding" WHERE "testId" = $1 ORDER BY id`, [syncTest]);
  expect(synced.map((r) => [r.title, Number(r.days)])).toEqual([['Finding 0', 10], ['Finding 1', 10], ['Finding 2', 10], ['Finding 3', 2], ['Finding 4', 2]]);

  const bad = await t.gql(SETTINGS, { i: { slaHighDays: 0 } }, admin);
  expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  expect(firstError(bad).message).toMatch(/slaHighDays/);
  expect((await t.ok('{ systemSettings { slaHighDays } }', {}, admin)).systemSettings.slaHighDays).toBe(10);
});

it('says the configured days in the SLA breach message', async () => {
  await t.sql(`UPDATE "Finding" SET "slaExpirationDate" = $1 WHERE severity = 'HIGH'`, [days(-1)]);
  await runSweeps(t.app.services, NOW);
  const [breach] = await events('sla_breach_combined');
  expect(breach!.payload.description).toContain('(Critical 2, High 10, Medium 90, Low 120 days)');
});
