// Connectors in a real browser against the real server and worker, with the SonarQube fake behind
// the connector: add one through the form generated from its kind, test its connection, discover
// and watch the records arrive without a reload, map one to a new product, bulk-ignore others (and
// see a bulk action report the record it could not change), filter and search in the URL, sync and
// watch the live progress bar until the operation succeeds, delete it. Screenshots of the
// connectors list, the form, the records tab and the operations tab at 1280 and 390 px go to
// test/.ARTIFACTS/.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS, LAPTOP, PHONE, collectConsoleErrors, launchChromium, savePage } from '../support/browser.ts';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';

/** each findings page of a sync waits this long, so the running sync and its progress bar can be seen */
const SLOW_FINDINGS_MS = 1500;

const PROJECTS = [
  { key: 'acme:payments-api', name: 'Payments API' },
  { key: 'acme:checkout-web', name: 'Checkout Web' },
  { key: 'acme:legacy-batch', name: 'Legacy Batch' },
  { key: 'acme:docs-site', name: 'Docs Site' },
];

let t: TestApp;
let sonar: SonarqubeFake;
let slowProxy: Server;
let proxyUrl: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** The fake's own server behind a delay on findings requests (the fake itself answers at once). */
async function startSlowProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const delay = /\/api\/(issues|hotspots)\/search/.test(req.url ?? '') ? SLOW_FINDINGS_MS : 0;
    setTimeout(() => {
      const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (error) => res.writeHead(502).end(error.message));
      req.pipe(upstream);
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  t = await startTestApp();
  sonar = await startSonarqubeFake();
  sonar.setProjects(PROJECTS);
  sonar.setFindings('acme:payments-api', [
    { id: 'AX-1', title: 'SQL injection in refund lookup', severity: 'CRITICAL', filePath: 'src/refunds.ts', line: 42, cwe: 89 },
    { id: 'AX-2', title: 'Weak hash for card fingerprints', severity: 'HIGH', filePath: 'src/cards.ts', line: 7, cwe: 328 },
    { id: 'AX-3', title: 'Verbose error page', severity: 'LOW', filePath: 'src/errors.ts', line: 3, cwe: 209 },
  ]);
  slowProxy = await startSlowProxy(sonar.url);
  proxyUrl = `http://127.0.0.1:${(slowProxy.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage({ baseURL: t.url, viewport: LAPTOP });
  page.setDefaultTimeout(15_000);
  collectConsoleErrors(page, consoleErrors);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (slowProxy ? slowProxy.close(() => resolve()) : resolve()));
  await sonar?.close();
  await t?.stop();
});

// a failing step leaves a picture of what the browser showed
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) await page.screenshot({ path: path.join(ARTIFACTS, `failed-connectors-${context.task.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
});

const screenshot = (name: string) => savePage(page, name);

async function horizontalOverflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

function table(testId: string): Locator {
  return page.getByTestId(testId);
}

/** the records a table shows, as "name state" */
async function recordStates(testId: string): Promise<string[]> {
  const rows = await table(testId).locator('tbody tr').all();
  const shown: string[] = [];
  for (const row of rows) {
    const name = await row.locator('.conn-record-name > span').first().textContent().catch(() => null);
    if (name === null) continue;
    shown.push(`${name.trim()} ${(await row.locator('.badge').textContent())?.trim()}`);
  }
  return shown.sort();
}

/** a page-level marker that only a full reload would clear */
async function markPage(): Promise<void> {
  await page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });
}
async function pageWasReloaded(): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload !== true);
}

let connectorPath = '';

describe('connectors', () => {
  it('signs in and opens Connectors from the navigation', async () => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await page.waitForURL('**/connectors');
    await page.getByText('No connectors yet').waitFor();
    expect(await page.getByRole('list', { name: 'Available kinds' }).getByRole('listitem').count()).toBeGreaterThanOrEqual(6);
  });

  it('searches and filters the available kinds, in the URL', async () => {
    await page.getByRole('searchbox', { name: 'Search kinds by name' }).fill('sonar');
    await page.waitForURL((url) => url.searchParams.get('kind') === 'sonar');
    const kinds = page.getByRole('list', { name: 'Available kinds' }).getByRole('listitem');
    await expect.poll(() => kinds.count()).toBe(1);
    expect(await kinds.first().textContent()).toContain('SonarQube');
    await page.getByRole('combobox', { name: 'Show kinds' }).selectOption('configured');
    await page.getByText('No kind matches.').waitFor();
    await page.getByRole('combobox', { name: 'Show kinds' }).selectOption('');
    await page.getByRole('link', { name: 'Add a SonarQube / SonarCloud connector' }).click();
    await page.waitForURL((url) => url.pathname === '/connectors/new' && url.searchParams.get('kind') === 'sonarqube');
  });

  it("generates the form from the kind's fields, with a preview of the schedules' next runs", async () => {
    await page.getByRole('heading', { name: 'Add a connector' }).waitFor();
    expect(await page.getByLabel('Kind').inputValue()).toBe('sonarqube');
    // SonarQube's fields: url, secret (write-only) and organization
    expect(await page.getByLabel('Server URL').getAttribute('type')).toBe('url');
    expect(await page.getByLabel('User token').getAttribute('type')).toBe('password');
    expect(await page.getByLabel('Organization').isVisible()).toBe(true);
    const discover = page.getByLabel('Discover schedule');
    expect(await discover.inputValue()).toBe('0 2 * * *');
    const discoverRuns = page.locator('.conn-cron-preview').first();
    expect(await discoverRuns.locator('li').count()).toBe(3);
    expect(await discoverRuns.locator('li').first().textContent()).toMatch(/, 02:00 UTC/);
    await discover.fill('*/15 * * *');
    await page.getByText('Use 5 fields: minute hour day-of-month month day-of-week').waitFor();
    await discover.fill('30 6 * * 1-5');
    await expect.poll(() => discoverRuns.locator('li').first().textContent()).toMatch(/(Mon|Tue|Wed|Thu|Fri), .* 06:30 UTC/);
    await page.getByLabel('Sync schedule').fill('');
    await page.getByText('Runs only when started by hand.').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Sonar production');
    await page.getByLabel('Server URL').fill(proxyUrl);
    await page.getByLabel('User token').fill(sonar.token);
    await page.getByLabel('Minimum severity').selectOption('LOW');
    await screenshot('connector-form');
    // a bad URL comes back as the server's message beside the field
    await page.getByLabel('Server URL').fill('not a url');
    await page.getByRole('button', { name: 'Add connector' }).click();
    await page.getByText('"not a url" is not a URL').waitFor();
    await page.getByLabel('Server URL').fill(proxyUrl);
    await page.getByRole('button', { name: 'Add connector' }).click();
    await page.waitForURL((url) => /^\/connectors\/[^/]+\/settings$/.test(url.pathname));
    connectorPath = new URL(page.url()).pathname.replace(/\/settings$/, '');
    await page.getByText('Connector created.').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Sonar production' }).waitFor();
  });

  it('keeps the secret write-only and tests the connection', async () => {
    const token = page.getByLabel('User token');
    expect(await token.inputValue()).toBe('');
    expect(await page.getByText('A secret is stored — leave empty to keep it.').isVisible()).toBe(true);
    expect(await page.getByLabel('Sync schedule').inputValue()).toBe('');
    expect(await page.getByLabel('Discover schedule').inputValue()).toBe('30 6 * * 1-5');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('connection-test-result');
    await result.waitFor();
    expect((await result.textContent())?.trim()).toBe('✓ Connected to SonarQube 10.6.0.92116 as tributary-bot');
    // saving without a token keeps the stored one: the connection still works
    await page.getByLabel('Name', { exact: true }).fill('Sonar prod');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Connector saved').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Sonar prod' }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(async () => (await result.textContent())?.trim()).toBe('✓ Connected to SonarQube 10.6.0.92116 as tributary-bot');
    await screenshot('connector-settings');
  });

  it('discovers, and the records appear without a reload', async () => {
    await page.getByRole('navigation', { name: 'Connector sections' }).getByRole('link', { name: 'Records' }).click();
    await page.waitForURL(`**${connectorPath}/records`);
    await page.getByText("Nothing to map: run a discover to list the tool's projects").waitFor();
    await markPage();
    await page.getByRole('button', { name: 'Discover', exact: true }).click();
    await expect.poll(() => recordStates('unmapped-records'), { timeout: 20_000 })
      .toEqual(['Checkout Web New', 'Docs Site New', 'Legacy Batch New', 'Payments API New']);
    expect(await pageWasReloaded()).toBe(false);
    await page.getByTestId('latest-operation').getByText('Succeeded').waitFor({ timeout: 20_000 });
    expect(await table('unmapped-records').locator('tbody tr').first().locator('td[data-label="First discovered"]').textContent()).not.toBe('—');
  });

  it('maps one record to a new product', async () => {
    await page.getByRole('button', { name: 'Map Payments API' }).click();
    const dialog = page.getByRole('dialog', { name: 'Map Payments API' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Product name').inputValue()).toBe('Payments API');
    await dialog.getByLabel('Product name').fill('Payments');
    await dialog.getByRole('button', { name: 'Map', exact: true }).click();
    await page.getByTestId('record-action-summary').getByText('Mapped 1 record.').waitFor();
    await expect.poll(() => recordStates('mapped-records')).toEqual(['Payments API Good']);
    const mapped = table('mapped-records').locator('tbody tr').first();
    expect(await mapped.getByRole('link', { name: 'Payments' }).isVisible()).toBe(true);
    expect(await mapped.locator('td[data-label="Finalized"]').textContent()).not.toBe('—');
    expect(await recordStates('unmapped-records')).toEqual(['Checkout Web New', 'Docs Site New', 'Legacy Batch New']);
    expect(await pageWasReloaded()).toBe(false);
  });

  it('ignores a selection, and a bulk action names the record it could not change', async () => {
    await page.getByRole('checkbox', { name: 'Select Checkout Web' }).check();
    await page.getByRole('checkbox', { name: 'Select Legacy Batch' }).check();
    const bulk = page.getByRole('toolbar', { name: 'Unmapped records: actions on the selection' });
    await bulk.getByText('2 selected').waitFor();
    await bulk.getByRole('button', { name: 'Ignore' }).click();
    await page.getByTestId('record-action-summary').getByText('Ignored 2 records.').waitFor();
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Checkout Web Ignored', 'Docs Site New', 'Legacy Batch Ignored']);
    await bulk.getByText('0 selected').waitFor();

    // only an ignored record can be restored: the server refuses the NEW one, the other is restored
    await page.getByRole('checkbox', { name: 'Select Docs Site' }).check();
    await page.getByRole('checkbox', { name: 'Select Legacy Batch' }).check();
    await bulk.getByRole('button', { name: 'Restore' }).click();
    const summary = page.getByTestId('record-action-summary');
    await summary.getByText('Restored 1 of 2 records; 1 failed.').waitFor();
    expect(await summary.locator('li').allTextContents()).toEqual(['Docs Site: recordId: only an IGNORED record can be restored (this one is NEW)']);
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Checkout Web Ignored', 'Docs Site New', 'Legacy Batch New']);
    await page.getByRole('checkbox', { name: 'Select Legacy Batch' }).check();
    await bulk.getByRole('button', { name: 'Ignore' }).click();
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Checkout Web Ignored', 'Docs Site New', 'Legacy Batch Ignored']);
    await screenshot('connector-records');
  });

  it('filters by state and searches by name, in the URL', async () => {
    await page.getByRole('combobox', { name: 'Filter records by state' }).selectOption('IGNORED');
    await page.waitForURL((url) => url.searchParams.get('state') === 'IGNORED');
    expect(await table('mapped-records').count()).toBe(0);
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Checkout Web Ignored', 'Legacy Batch Ignored']);
    const search = page.getByRole('searchbox', { name: 'Search records by name' });
    await search.fill('legacy');
    await search.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'legacy');
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Legacy Batch Ignored']);
    // a shared link shows the same view
    await page.reload();
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Legacy Batch Ignored']);
    expect(await search.inputValue()).toBe('legacy');
    await page.goto(`${connectorPath}/records`);
    await expect.poll(() => recordStates('unmapped-records')).toEqual(['Checkout Web Ignored', 'Docs Site New', 'Legacy Batch Ignored']);
  });

  it('syncs with a live progress bar until the operation succeeds', async () => {
    await page.getByRole('navigation', { name: 'Connector sections' }).getByRole('link', { name: 'Operations' }).click();
    await page.waitForURL(`**${connectorPath}/operations`);
    const rows = table('operation-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await markPage();
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const sync = rows.first();
    expect((await sync.locator('td[data-label="Type"]').textContent())?.trim()).toBe('Sync');
    // the worker's progress arrives through operationChanged: 0 of 1 record while the findings are fetched
    const bar = sync.getByRole('progressbar', { name: 'Sync progress' });
    await bar.waitFor({ timeout: 10_000 });
    await expect.poll(() => bar.getAttribute('aria-valuetext'), { timeout: 10_000 }).toMatch(/^0 of 1 record/);
    await screenshot('connector-operations-running');
    await sync.locator('td[data-label="Status"]').getByText('Succeeded').waitFor({ timeout: 30_000 });
    expect(await bar.count()).toBe(0);
    expect((await sync.locator('td[data-label="Result"]').textContent())?.trim()).toBe('1 record synced · 3 new');
    expect((await sync.locator('td[data-label="Trigger"]').textContent())?.trim()).toBe('Manual by Administrator');
    expect((await rows.nth(1).locator('td[data-label="Result"]').textContent())?.trim()).toBe('4 found · 4 new');
    expect(await pageWasReloaded()).toBe(false);
    await screenshot('connector-operations');
  });

  it('lists the connector with its health and last operation', async () => {
    await page.getByRole('link', { name: 'Connectors', exact: true }).first().click();
    await page.waitForURL('**/connectors');
    const row = table('connector-table').locator('tbody tr').first();
    await row.getByRole('link', { name: 'Sonar prod', exact: true }).waitFor();
    expect((await row.locator('td[data-label="Kind"]').textContent())?.trim()).toBe('SonarQube / SonarCloud');
    expect((await row.locator('td[data-label="Health"]').textContent())?.trim()).toBe('Healthy');
    expect(await row.locator('td[data-label="Last operation"]').textContent()).toContain('Sync');
    expect((await row.locator('td[data-label="Next runs"]').textContent())?.replace(/\s+/g, ' ')).toContain('Sync: by hand');
    await screenshot('connectors');
  });

  it('fits a phone: no horizontal scrolling on any connector page', async () => {
    await page.setViewportSize(PHONE);
    const pages: Array<[string, string, () => Promise<unknown>]> = [
      ['/connectors', 'connectors', () => table('connector-table').locator('tbody tr').first().waitFor()],
      ['/connectors/new?kind=sonarqube', 'connector-form', () => page.getByLabel('Server URL').waitFor()],
      [`${connectorPath}/records`, 'connector-records', () => table('mapped-records').locator('tbody tr .badge').first().waitFor()],
      [`${connectorPath}/operations`, 'connector-operations', () => table('operation-table').locator('tbody tr .badge').first().waitFor()],
      [`${connectorPath}/settings`, 'connector-settings', () => page.getByLabel('Server URL').waitFor()],
    ];
    for (const [target, name, ready] of pages) {
      await page.goto(target);
      await ready();
      expect(await horizontalOverflow(), `horizontal overflow on ${target}`).toBe(0);
      await screenshot(name);
    }
    await page.setViewportSize(LAPTOP);
  });

  it('deletes the connector after a confirmation that Escape dismisses', async () => {
    await page.goto('/connectors');
    const deleteButton = page.getByRole('button', { name: 'Delete Sonar prod' });
    await deleteButton.click();
    const dialog = page.getByRole('dialog', { name: 'Delete Sonar prod?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Delete Sonar prod');
    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete connector' }).click();
    await page.getByText('No connectors yet').waitFor();
    // the product the record was mapped to stays
    const products = await t.ok('query { products(first: 10) { nodes { name } } }', {}, await t.login());
    expect(products.products.nodes.map((p: { name: string }) => p.name)).toEqual(['Payments']);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
