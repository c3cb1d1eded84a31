// The notification and admin pages in a real browser against the real server (API + worker): the
// superuser switches a personal setting on in the matrix and an alert arrives in the bell; Slack's
// refusal of a token shows beside the field; webhooks are switched on, an endpoint on a loopback
// receiver is created and tested, and its delivery appears in the deliveries page and turns SENT
// live; an API token is shown once and works. Screenshots at 1280 and 390 px go to test/.ARTIFACTS/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, LAPTOP, PHONE, collectConsoleErrors, launchChromium, savePage } from '../support/browser.ts';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';


const SETTINGS = /* GraphQL */ `
  query($scope: NotificationScope!) { notificationSettings(scope: $scope) { events { event methods minimumSeverity } } }`;
const VIEWER = /* GraphQL */ `{ viewer { email } }`;

let t: TestApp;
let slack: SlackFake;
let receiver: WebhookReceiver;
let browser: Browser;
let page: Page;
let admin: string;
let productRow: number;
const consoleErrors: string[] = [];

beforeAll(async () => {
  slack = await startSlackFake();
  receiver = await startWebhookReceiver();
  t = await startTestApp({ env: { TRIBUTARY_SLACK_API_URL: `${slack.url}/api/`, TRIBUTARY_DELIVERY_BACKOFF_MS: '200' } });
  admin = await t.login();
  productRow = rowId((await t.ok(CREATE_PRODUCT, { i: { name: 'Payments API' } }, admin)).createProduct.product.id);
  browser = await launchChromium();
  const context = await browser.newContext({ baseURL: t.url, viewport: LAPTOP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  page = await context.newPage();
  collectConsoleErrors(page, consoleErrors);
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await receiver?.close();
  await slack?.close();
});

const screenshot = (name: string) => savePage(page, name);

async function horizontalOverflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** a scan_added event for the product, written in SQL as the sync engine writes it */
async function emitScanAdded(): Promise<void> {
  await t.sql('INSERT INTO "NotificationEvent" (name, "productId", payload) VALUES ($1, $2, $3)', ['scan_added', productRow, { new: 2, closed: 1, reactivated: 0, untouched: 3 }]);
}

/** the subscriptions of a page just opened need a moment on the websocket before an event happens */
async function settle(): Promise<void> {
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.waitForTimeout(400);
}

describe('notification and admin pages', () => {
  it('signs in as the superuser and finds Notifications and Admin in the navigation', async () => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL('**/notifications');
    expect(await nav.getByRole('link', { name: 'Admin' }).isVisible()).toBe(true);
    expect(await page.title()).toBe('Notifications · Tributary');
  });

  it('switches PERSONAL scan_added → Alert in the matrix, and the alert arrives in the bell', async () => {
    const matrix = page.getByTestId('notification-matrix');
    await matrix.waitFor();
    // personal scope: a person is sent alerts, mail and Slack only
    expect((await matrix.locator('thead th').allTextContents()).map((s) => s.trim())).toEqual(['Event', 'Alert', 'Mail', 'Slack', 'Minimum severity']);
    await screenshot('notifications-matrix');
    const checkbox = page.getByRole('checkbox', { name: 'Scan added by Alert' });
    await checkbox.check();
    await page.getByText('Unsaved: 1 event').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Notification settings saved').waitFor();
    await page.getByText('No unsaved changes').waitFor();
    const stored = (await t.ok(SETTINGS, { scope: 'PERSONAL' }, admin)).notificationSettings.events.find((e: { event: string }) => e.event === 'scan_added');
    expect(stored).toEqual({ event: 'scan_added', methods: ['ALERT'], minimumSeverity: null });

    await page.getByRole('button', { name: 'Alerts, 0 unread' }).waitFor();
    await settle();
    await emitScanAdded();
    await page.getByRole('button', { name: 'Alerts, 1 unread' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Alerts, 1 unread' }).click();
    await page.getByRole('region', { name: 'Alert list', exact: true }).getByText(/Payments API/).first().waitFor();
    await page.keyboard.press('Escape');
  });

  it('offers every channel in the SYSTEM scope and stores scan_added → Webhooks there', async () => {
    await page.getByRole('radio', { name: 'System' }).check();
    await page.waitForURL((url) => url.searchParams.get('scope') === 'SYSTEM');
    const matrix = page.getByTestId('notification-matrix');
    await page.getByRole('checkbox', { name: 'Scan added by Webhooks' }).waitFor();
    expect((await matrix.locator('thead th').allTextContents()).map((s) => s.trim())).toEqual(['Event', 'Alert', 'Mail', 'Slack', 'Teams', 'Webhooks', 'Minimum severity']);
    await page.getByRole('checkbox', { name: 'Scan added by Webhooks' }).check();
    // an SLA breach only for High or worse (a scan_added with a minimum would drop this event: it lists no findings)
    await page.getByRole('checkbox', { name: 'Sla breach by Mail' }).check();
    await page.getByRole('combobox', { name: 'Sla breach: minimum severity' }).selectOption('HIGH');
    await page.getByText('Unsaved: 2 events').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Notification settings saved').waitFor();
    const events = (await t.ok(SETTINGS, { scope: 'SYSTEM' }, admin)).notificationSettings.events as Array<{ event: string }>;
    expect(events.filter((e) => e.event === 'scan_added' || e.event === 'sla_breach')).toEqual([
      { event: 'scan_added', methods: ['WEBHOOKS'], minimumSeverity: null },
      { event: 'sla_breach', methods: ['MAIL'], minimumSeverity: 'HIGH' },
    ]);
  });

  it("shows Slack's refusal of a token beside the field, and switches webhooks on", async () => {
    await page.getByRole('navigation', { name: 'Notification pages' }).getByRole('link', { name: 'System settings' }).click();
    await page.waitForURL('**/notifications/system');
    await page.getByLabel('Bot token').fill('xoxb-not-a-real-token');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const refusal = page.getByText(/Slack did not accept the token/);
    await refusal.waitFor();
    expect(await page.getByLabel('Bot token').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Bot token').fill('');
    await page.getByRole('checkbox', { name: 'Send to webhooks' }).check();
    await page.getByLabel('High').fill('21');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('System settings saved').waitFor();
    const settings = (await t.ok('{ systemSettings { enableWebhooks slaHighDays hasSlackToken } }', {}, admin)).systemSettings;
    expect(settings).toEqual({ enableWebhooks: true, slaHighDays: 21, hasSlackToken: false });
    await screenshot('notifications-system');
  });

  it('names the problem when an endpoint does not answer, then creates and tests one on the loopback receiver', async () => {
    await page.getByRole('navigation', { name: 'Notification pages' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL('**/notifications/webhooks');
    await page.getByText('No webhooks yet').waitFor();
    const form = page.getByTestId('webhook-form');
    await form.getByLabel('Name', { exact: true }).fill('SIEM');
    receiver.failWith(503, { times: 1 });
    await form.getByLabel('URL').fill(`${receiver.url}/hook`);
    await form.getByLabel('Header name').fill('Authorization');
    await form.getByLabel('Header value').fill('Bearer s3cret');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const problem = form.locator('.field-error, .form-error');
    await problem.first().waitFor();
    expect(await problem.first().textContent()).toMatch(/503/);

    await form.getByRole('button', { name: 'Create webhook' }).click();
    const row = page.getByTestId('webhook-table').locator('tbody tr', { hasText: 'SIEM' });
    await row.waitFor();
    expect(await row.locator('[data-state]').getAttribute('data-state')).toBe('ACTIVE');
    expect(await row.textContent()).toContain('header Authorization (value stored)');
    expect(await page.content()).not.toContain('s3cret');
    await page.getByRole('button', { name: 'Test SIEM' }).click();
    await page.getByTestId('webhook-message').waitFor();
    expect(receiver.requests.at(-1)?.headers.authorization).toBe('Bearer s3cret');
    await screenshot('notifications-webhooks');
  });

  it("shows a webhook's delivery appear and turn SENT live, filtered by method", async () => {
    await page.getByRole('navigation', { name: 'Notification pages' }).getByRole('link', { name: 'Deliveries' }).click();
    await page.waitForURL('**/notifications/deliveries');
    await page.getByLabel('Method').selectOption('WEBHOOKS');
    await page.waitForURL((url) => url.searchParams.get('method') === 'WEBHOOKS');
    await page.getByText('No deliveries match these filters').waitFor();
    await settle();
    // the receiver holds the request: the delivery stays PENDING on screen until it answers
    receiver.hang();
    await emitScanAdded();
    const row = page.getByTestId('delivery-table').locator('tbody tr').first();
    await row.locator('[data-state="PENDING"]').waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('Scan added');
    expect(await page.getByTestId('delivery-table').locator('tbody tr').count()).toBe(1);
    receiver.recover();
    await row.locator('[data-state="SENT"]').waitFor({ timeout: 20_000 });
    expect(await page.getByText('1 delivery', { exact: true }).isVisible()).toBe(true);
    // the alert delivery of the same event is in the unfiltered list
    await page.getByLabel('Method').selectOption('');
    await page.getByTestId('delivery-table').locator('tbody tr', { hasText: 'Alert' }).first().waitFor();
    await screenshot('notifications-deliveries');
  });

  it('creates a user with a global role, gives them a product role and deactivates them', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin');
    await page.getByTestId('user-table').getByText(ADMIN.email).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('ana@example.com');
    await page.getByLabel('Name', { exact: true }).fill('Ana Analyst');
    await page.getByLabel('Password').fill('ana password 123');
    await page.getByLabel('Global role').selectOption('READER');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('User ana@example.com created').waitFor();
    const row = page.getByTestId('user-table').locator('tbody tr', { hasText: 'ana@example.com' });
    await row.waitFor();
    expect(await row.locator('[data-state="READER"]').count()).toBe(1);

    await page.getByRole('button', { name: 'Edit ana@example.com' }).click();
    const editor = page.getByTestId('user-editor');
    await editor.getByLabel('Product', { exact: true }).selectOption({ label: 'Payments API' });
    await editor.getByLabel('Role', { exact: true }).selectOption('WRITER');
    await editor.getByRole('button', { name: 'Add role' }).click();
    await editor.getByText('Added to Payments API').waitFor();
    await row.getByText('Payments API: writer').waitFor();
    await editor.getByRole('checkbox', { name: 'Active (may sign in)' }).uncheck();
    await editor.getByRole('button', { name: 'Save user' }).click();
    await row.getByText('Inactive').waitFor();
    await screenshot('admin-users');
    await editor.getByRole('button', { name: 'Close' }).click();
  });

  it('creates an API token, shows it once with a copy button, and it works', async () => {
    await page.getByRole('navigation', { name: 'Admin pages' }).getByRole('link', { name: 'API tokens' }).click();
    await page.waitForURL('**/admin/tokens');
    await page.getByText('No API tokens').waitFor();
    await page.getByLabel('Token name').fill('CI import job');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('new-token-value').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.getByTestId('token-table').getByText('CI import job').waitFor();
    expect((await t.ok(VIEWER, {}, secret)).viewer.email).toBe(ADMIN.email);
    await screenshot('admin-tokens');
    // once: a reload shows the token's name, never the token again
    await page.reload();
    await page.getByTestId('token-table').getByText('CI import job').waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('revokes the token after a confirmation', async () => {
    await page.getByRole('button', { name: 'Revoke CI import job' }).click();
    await page.getByRole('dialog', { name: 'Revoke CI import job?' }).getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('No API tokens').waitFor();
  });

  it('fits a phone: no horizontal scrolling on any of these pages', async () => {
    await page.setViewportSize(PHONE);
    const pages = [
      ['/notifications', 'notifications-matrix', '[data-testid="notification-matrix"]'],
      ['/notifications/system', 'notifications-system', 'form.system-form'],
      ['/notifications/webhooks', 'notifications-webhooks', '[data-testid="webhook-table"] tbody tr'],
      ['/notifications/deliveries', 'notifications-deliveries', '[data-testid="delivery-table"] tbody tr'],
      ['/admin', 'admin-users', '[data-testid="user-table"] tbody tr'],
      ['/admin/tokens', 'admin-tokens', 'form'],
    ] as const;
    for (const [target, name, ready] of pages) {
      await page.goto(target);
      await page.locator(ready).first().waitFor();
      expect(await horizontalOverflow(), `horizontal overflow on ${target}`).toBe(0);
      await screenshot(name);
    }
    await page.setViewportSize(LAPTOP);
  });

  it('logged no console errors', () => {
    // the deliberately refused webhook ping and Slack token answer as GraphQL errors, not console errors
    expect(consoleErrors).toEqual([]);
  });
});
