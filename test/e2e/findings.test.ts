// Products → engagements → tests → findings in a real browser against the real server: a product's
// engagements (close, reopen) and its findings filtered by severity with the filter in the URL (a
// reload keeps it), a finding's status change, a note with an @mention that reaches the mentioned
// user, a review request, a bulk close with one per-finding failure reported, a test's import
// history from two real syncs, what a reader is (not) offered, the phone layout, no console errors.
// Screenshots of the product, findings and finding pages (and the test page) at 1280 and 390 px go
// to test/.ARTIFACTS/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, LAPTOP, PHONE, collectConsoleErrors, launchChromium, savePage } from '../support/browser.ts';
import { ADMIN } from '../support/app.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, type DiscoverApp } from '../support/connectors.ts';
import { ADD_PRODUCT_MEMBER, CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, CREATE_USER } from '../support/documents.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { waitFor } from '../support/wait.ts';


const ALICE = { email: 'alice@example.com', password: 'alice password 123', name: 'Alice Analyst' };
const RITA = { email: 'rita@example.com', password: 'rita password 1234', name: 'Rita Reader' };

const ALERTS = /* GraphQL */ `{ alerts(first: 10) { unreadCount nodes { title description } } }`;
const ALERT_ON_MENTION = /* GraphQL */ `
  mutation { updateNotificationSettings(input: { scope: PERSONAL, events: [{ event: "user_mentioned", methods: [ALERT] }] }) { settings { scope } } }`;
const DELETE_FINDING = /* GraphQL */ `mutation($id: ID!) { deleteFinding(input: { id: $id }) { deletedId } }`;

let t: DiscoverApp;
let fake: SarifDirectoryFake;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let productId: string;
let engagementId: string;
const findingIds = new Map<string, string>();

/** the product the browser works on: 7 findings over every severity, one engagement with a test */
const SEEDED: Array<{ title: string; severity: string; filePath?: string; line?: number; componentName?: string; componentVersion?: string; cwe?: number }> = [
  { title: 'SQL injection in order search', severity: 'CRITICAL', filePath: 'src/orders/search.ts', line: 42, cwe: 89 },
  { title: 'Hard-coded signing key', severity: 'CRITICAL', filePath: 'src/auth/jwt.ts', line: 7, cwe: 798 },
  { title: 'Outdated lodash with prototype pollution', severity: 'HIGH', componentName: 'lodash', componentVersion: '4.17.15', cwe: 1321 },
  { title: 'Open redirect after login', severity: 'HIGH', filePath: 'src/auth/redirect.ts', line: 18, cwe: 601 },
  { title: 'Missing rate limit on password reset', severity: 'MEDIUM', filePath: 'src/auth/reset.ts', line: 5 },
  { title: 'Verbose error messages', severity: 'LOW', filePath: 'src/http/errors.ts', line: 30 },
  { title: 'Server header discloses version', severity: 'INFO' },
];

beforeAll(async () => {
  t = await startDiscoverApp();
  fake = await startSarifDirectoryFake();

  productId = (await t.ok(CREATE_PRODUCT, { i: { name: 'Payments API', description: 'Card processing backend' } })).createProduct.product.id;
  engagementId = (await t.ok(CREATE_ENGAGEMENT, { i: { productId, name: 'Q3 penetration test', description: 'External pentest, September' } })).createEngagement.engagement.id;
  const testId = (await t.ok(CREATE_TEST, { i: { engagementId, title: 'Manual pentest', scanType: 'Manual' } })).createTest.test.id;
  for (const seed of SEEDED) {
    const { title, ...rest } = seed;
    findingIds.set(title, (await t.ok(CREATE_FINDING, { i: { testId, title, description: `${title}: found by the pentest team.`, ...rest } })).createFinding.finding.id);
  }
  for (const user of [ALICE, RITA]) {
    const userId = (await t.ok(CREATE_USER, { i: user })).createUser.user.id;
    await t.ok(ADD_PRODUCT_MEMBER, { i: { productId, userId, role: user === ALICE ? 'WRITER' : 'READER' } });
  }
  await t.ok(ALERT_ON_MENTION, {}, await t.login(ALICE.email, ALICE.password));

  // a connector's product with a test whose import history has two syncs: 3 created, then 1 closed and 1 created
  const finding = (id: string, severity: FakeFinding['severity']): FakeFinding => ({ id, title: `Rule ${id} in checkout`, severity, filePath: `src/${id}.ts`, line: 3, cwe: 79 });
  fake.setProjects([{ key: 'checkout-web', name: 'checkout-web' }]);
  fake.setFindings('checkout-web', [finding('xss', 'HIGH'), finding('csrf', 'MEDIUM'), finding('eval', 'CRITICAL')]);
  const connector = await createConnector(t, fake, { name: 'SARIF reports', autoMap: true });
  await discover(t, connector.id);
  expect((await records(t, connector.id)).map((r) => r.state)).toEqual(['GOOD']);
  expect((await runOperation(t, connector.id, 'Sync')).status).toBe('SUCCEEDED');
  fake.setFindings('checkout-web', [finding('xss', 'HIGH'), finding('eval', 'CRITICAL'), finding('ssrf', 'HIGH')]);
  expect((await runOperation(t, connector.id, 'Sync')).status).toBe('SUCCEEDED');

  browser = await launchChromium();
  page = await browser.newPage({ baseURL: t.url, viewport: LAPTOP });
  collectConsoleErrors(page, consoleErrors);
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
  await t?.stop();
});

const screenshot = (name: string) => savePage(page, name);

async function horizontalOverflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function signIn(p: Page, user: { email: string; password: string }): Promise<void> {
  await p.goto('/login');
  await p.getByLabel('Email').fill(user.email);
  await p.getByLabel('Password').fill(user.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL((url) => url.pathname === '/');
}

const findingTitles = () => page.getByTestId('finding-table').locator('tbody tr td:nth-child(3)').allTextContents();
const findingCount = async () => (await page.getByTestId('finding-count').textContent())?.trim();

describe('products, engagements, tests and findings', () => {
  it('signs in and opens a product from the products list', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Findings' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products' }).click();
    await page.getByTestId('product-table').getByRole('link', { name: 'Payments API' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/products/${productId}`);
    await page.getByText('7 findings', { exact: true }).waitFor();
  });

  it('closes and reopens an engagement', async () => {
    const row = page.getByTestId('engagement-table').locator('tbody tr', { hasText: 'Q3 penetration test' });
    await row.getByText('In progress').waitFor();
    await row.getByRole('button', { name: 'Close Q3 penetration test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Q3 penetration test?' });
    await dialog.getByRole('button', { name: 'Close engagement' }).click();
    await row.getByText('Completed').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: 'Reopen Q3 penetration test' }).click();
    await row.getByText('In progress').waitFor();
  });

  it("filters the product's findings by severity, keeps the filter in the URL, and a reload keeps it", async () => {
    await page.getByRole('checkbox', { name: 'Critical' }).check();
    await page.waitForURL((url) => url.searchParams.get('severities') === 'CRITICAL');
    await page.getByRole('checkbox', { name: 'High' }).check();
    await page.waitForURL((url) => url.searchParams.get('severities') === 'CRITICAL,HIGH');
    await page.getByText('4 findings', { exact: true }).waitFor();
    expect((await findingTitles()).sort()).toEqual(['Hard-coded signing key', 'Open redirect after login', 'Outdated lodash with prototype pollution', 'SQL injection in order search']);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    await page.getByText('4 findings', { exact: true }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Critical' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'High' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Medium' }).isChecked()).toBe(false);
    expect(await findingTitles()).toHaveLength(4);
    await screenshot('product');
  });

  it('opens a finding and marks it a false positive; the page and the list follow', async () => {
    await page.getByRole('link', { name: 'SQL injection in order search' }).click();
    await page.getByRole('heading', { level: 1, name: 'SQL injection in order search' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/findings/${findingIds.get('SQL injection in order search')}`);
    const details = page.getByTestId('finding-details');
    await details.getByText('src/orders/search.ts:42').waitFor();
    expect(await details.getByRole('link', { name: 'CWE-89' }).getAttribute('href')).toBe('https://cwe.mitre.org/data/definitions/89.html');
    expect(await page.getByTestId('finding-status').getAttribute('data-status')).toBe('Active');

    await page.getByRole('button', { name: 'Mark false positive' }).click();
    await page.getByRole('dialog', { name: 'Mark false positive?' }).getByRole('button', { name: 'Mark false positive' }).click();
    await page.getByRole('status').getByText('Finding saved').waitFor();
    await waitFor(async () => (await page.getByTestId('finding-status').getAttribute('data-status')) === 'Inactive,False positive', 'the status to show false positive');
    expect(await page.getByRole('button', { name: 'Mark false positive' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reopen' }).isVisible()).toBe(true);

    // the product's active findings no longer count it
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Payments API' }).click();
    await page.getByText('6 active findings').waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'SQL injection in order search' }).waitFor();
  });

  it('adds a note with an @mention, and the mentioned user is alerted', async () => {
    const note = page.getByLabel('New note');
    await note.fill('Confirmed with the team, not reachable from outside. ');
    await page.getByLabel('Mention a product member').selectOption(ALICE.email);
    expect(await note.inputValue()).toBe(`Confirmed with the team, not reachable from outside. @${ALICE.email} `);
    await note.pressSequentially('please double-check.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const notes = page.getByTestId('finding-notes');
    await notes.getByText('please double-check.').waitFor();
    expect(await notes.locator('.mention').allTextContents()).toEqual([`@${ALICE.email}`]);
    expect(await note.inputValue()).toBe('');

    const aliceToken = await t.login(ALICE.email, ALICE.password);
    const alerts = await waitFor(async () => {
      const data = await t.ok(ALERTS, {}, aliceToken);
      return data.alerts.nodes.length > 0 ? data.alerts : null;
    }, 'alice to be alerted of the mention');
    expect(alerts.nodes[0].title).toContain('SQL injection in order search');
  });

  it('requests a review from a product member', async () => {
    const review = page.getByRole('region', { name: /^Review/ });
    await review.getByRole('checkbox', { name: /Alice Analyst/ }).check();
    await review.getByLabel('Message to the reviewers (optional)').fill('Is the false positive right?');
    await review.getByRole('button', { name: 'Request review' }).click();
    await review.getByText('Review requested').waitFor();
    await waitFor(async () => (await page.getByTestId('finding-status').getAttribute('data-status'))?.includes('Under review'), 'under review');
    await screenshot('finding');
  });

  it('bulk-closes a selection on the Findings list, naming the one that failed', async () => {
    await page.goto(`/findings?productId=${encodeURIComponent(productId)}&active=true`);
    await page.getByRole('heading', { level: 1, name: 'Findings' }).waitFor();
    await page.getByText('Product: Payments API').waitFor();
    await page.getByText('6 findings', { exact: true }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('true');

    for (const title of ['Verbose error messages', 'Server header discloses version', 'Missing rate limit on password reset']) {
      await page.getByRole('checkbox', { name: `Select ${title}` }).check();
    }
    await page.getByText('3 selected').waitFor();
    // one of them is deleted behind the page's back: its change fails, the others go through
    await t.ok(DELETE_FINDING, { id: findingIds.get('Server header discloses version') });
    await page.getByRole('combobox', { name: 'Change status to' }).selectOption({ label: 'Close (mitigated)' });
    await page.getByRole('button', { name: 'Apply to 3' }).click();
    const summary = page.getByTestId('finding-bulk-summary');
    await summary.getByText('2 of 3 findings closed; 1 failed.').waitFor();
    expect(await summary.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Server header discloses version: .*finding/)]);
    // the closed ones leave the active list (and the deleted one with them): nothing shown is selected
    await page.getByText('3 findings', { exact: true }).waitFor();
    expect((await findingTitles()).sort()).toEqual(['Hard-coded signing key', 'Open redirect after login', 'Outdated lodash with prototype pollution']);
    expect(await page.getByRole('button', { name: /^Apply to/ }).count()).toBe(0);
    const closed = await t.sql<{ title: string }>(`SELECT title FROM "Finding" WHERE "isMitigated" AND title NOT LIKE 'Rule %' ORDER BY title`);
    expect(closed.map((r) => r.title)).toEqual(['Missing rate limit on password reset', 'Verbose error messages']);
    await screenshot('findings');
    await summary.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('narrows and widens the Findings list through the URL', async () => {
    await page.getByRole('button', { name: /^Show findings of every product/ }).click();
    await page.waitForURL((url) => !url.searchParams.has('productId') && url.searchParams.get('active') === 'true');
    // the connector's product shows up too: 3 + 3 active (eval, xss, ssrf)
    await page.getByText('6 findings', { exact: true }).waitFor();
    await page.goto('/findings?severities=critical&active=false');
    await page.getByText('1 finding', { exact: true }).waitFor();
    expect(await findingTitles()).toEqual(['SQL injection in order search']);
  });

  it("shows a test's import history: what each sync created, closed and reactivated", async () => {
    await page.goto('/products');
    await page.getByTestId('product-table').getByRole('link', { name: 'checkout-web' }).click();
    await page.getByRole('heading', { level: 1, name: 'checkout-web' }).waitFor();
    await page.getByTestId('engagement-table').getByRole('link', { name: 'Global Connectors' }).click();
    await page.getByTestId('test-table').getByRole('link').first().click();
    const history = page.getByTestId('import-history');
    await history.locator('.import-item').nth(1).waitFor();
    const items = history.locator('.import-item');
    // newest first: the second sync closed csrf and created ssrf; the first created three
    await items.nth(0).getByText('1 created').click();
    await items.nth(0).getByRole('link', { name: 'Rule ssrf in checkout' }).waitFor();
    await items.nth(0).getByText('1 closed').click();
    await items.nth(0).getByRole('link', { name: 'Rule csrf in checkout' }).waitFor();
    expect(await items.nth(0).getByText('2 untouched').isVisible()).toBe(true);
    expect(await items.nth(1).getByText('3 created').isVisible()).toBe(true);
    expect(await items.nth(1).getByText('0 closed').isVisible()).toBe(true);
    // the test's findings: csrf is closed, so 3 of 4 are active
    await page.getByText('4 findings', { exact: true }).waitFor();
    await page.getByText('3 active findings').waitFor();
    await screenshot('test');
  });

  it('offers a reader notes but no status changes', async () => {
    const context = await browser.newContext({ baseURL: t.url, viewport: LAPTOP });
    const reader = await context.newPage();
    const readerErrors: string[] = [];
    reader.on('console', (message) => { if (message.type() === 'error') readerErrors.push(message.text()); });
    await signIn(reader, RITA);
    await reader.goto(`/findings/${findingIds.get('Open redirect after login')}`);
    await reader.getByRole('heading', { level: 1, name: 'Open redirect after login' }).waitFor();
    await reader.getByTestId('no-status-actions').waitFor();
    expect(await reader.getByRole('button', { name: 'Verify' }).count()).toBe(0);
    expect(await reader.getByLabel('New note').isVisible()).toBe(true);
    expect(await reader.getByText('Your role on this product does not allow requesting a review.').isVisible()).toBe(true);
    // no selection boxes on a product where a reader can change nothing
    await reader.goto(`/products/${productId}`);
    await reader.getByTestId('finding-table').waitFor();
    expect(await reader.getByRole('checkbox', { name: /^Select / }).count()).toBe(0);
    expect(readerErrors).toEqual([]);
    await context.close();
  });

  it('fits a phone: no horizontal scrolling on the product, findings and finding pages', async () => {
    await page.setViewportSize(PHONE);
    const pages: Array<[string, string, string]> = [
      ['product', `/products/${productId}?severities=CRITICAL,HIGH`, 'Payments API'],
      ['findings', '/findings?active=true', 'Findings'],
      ['finding', `/findings/${findingIds.get('SQL injection in order search')}`, 'SQL injection in order search'],
    ];
    for (const [name, target, heading] of pages) {
      await page.goto(target);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      if (name !== 'finding') await page.getByTestId('finding-table').locator('tbody tr').first().waitFor();
      else await page.getByTestId('finding-notes').waitFor();
      expect(await horizontalOverflow(), `horizontal overflow on ${target}`).toBe(0);
      await screenshot(name);
    }
    await page.setViewportSize(LAPTOP);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
