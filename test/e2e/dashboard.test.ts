// The dashboard shell in a real browser against the real server: login, the cookie session
// surviving a reload through the SPA history fallback, creating a product, logging out.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test/.artifacts');

let t: TestApp;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  // the server serves the built dashboard; `pnpm test` builds it before running the suite
  if (!existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `pnpm --filter @tributary/web build` first');
  t = await startTestApp();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ baseURL: t.url, viewport: { width: 1200, height: 760 } });
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

function pathname(): string {
  return new URL(page.url()).pathname;
}

function navLink(name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
}

/** Each row as its trimmed cell texts: the built templates drop the whitespace between cells. */
async function rowCells(rows: Locator, cell: string): Promise<string[][]> {
  return Promise.all((await rows.all()).map(async (row) => (await row.locator(cell).allTextContents()).map((text) => text.trim())));
}

describe('dashboard shell', () => {
  it('sends an anonymous visitor to the login page', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    expect(pathname()).toBe('/login');
    expect(await page.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);
  });

  it("shows the server's message for a wrong password and stays on the login page", async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe('Invalid email or password.');
    expect(pathname()).toBe('/login');
  });

  it('logs in and lands on the dashboard with the viewer and an empty product list', async () => {
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN.email);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Welcome, Administrator');
    await page.getByText('No products yet').waitFor();
    expect((await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((text) => text.trim()))
      .toEqual(['Dashboard', 'Products']);
  });

  it('creates a product on the Products page and lists it', async () => {
    await navLink('Products').click();
    await page.waitForURL('**/products');
    await page.getByLabel('Name').fill('Payments API');
    await page.getByLabel('Description').fill('Card processing backend');
    await page.getByRole('button', { name: 'Create product' }).click();
    const row = page.getByTestId('product-table').locator('tbody tr', { hasText: 'Payments API' });
    await row.waitFor();
    expect(await rowCells(row, 'td')).toEqual([['Payments API', 'Card processing backend', '0']]);
    expect(await page.getByLabel('Name').inputValue()).toBe('');
  });

  it('keeps the session across a reload of /products (history fallback + cookie)', async () => {
    await page.reload();
    expect(pathname()).toBe('/products');
    const rows = page.getByTestId('product-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rowCells(rows, 'td')).toEqual([['Payments API', 'Card processing backend', '0']]);
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN.email);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  });

  it('lists the product on the dashboard with its active finding count', async () => {
    await navLink('Dashboard').click();
    await page.waitForURL((url) => url.pathname === '/');
    const summaries = page.getByTestId('product-summaries').locator('li');
    await summaries.first().waitFor();
    expect(await rowCells(summaries, 'span')).toEqual([['Payments API', '0']]);
  });

  it('pages through products 20 at a time', async () => {
    const token = await t.login();
    for (let i = 1; i <= 21; i++) {
      await t.ok(CREATE_PRODUCT, { i: { name: `Product ${String(i).padStart(2, '0')}` } }, token);
    }
    await page.goto('/products');
    const table = page.getByTestId('product-table');
    const names = () => table.locator('tbody tr td:first-child').allTextContents();
    await page.getByText('Page 1 of 2').waitFor();
    // ordered by name: "Payments API" sorts before "Product 01"
    expect(await names()).toEqual(['Payments API', ...Array.from({ length: 19 }, (_, i) => `Product ${String(i + 1).padStart(2, '0')}`)]);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2').waitFor();
    await table.getByText('Product 21').waitFor();
    expect(await names()).toEqual(['Product 20', 'Product 21']);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await table.getByText('Payments API').waitFor();
    expect(await page.getByText('Page 1 of 2').isVisible()).toBe(true);
  });

  it('logs out back to the login page, and the session is gone server-side too', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/products');
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/products');
  });

  it('returns to the login page when the server ends the session behind its back', async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/products');
    await navLink('Dashboard').click();
    await page.getByTestId('product-summaries').waitFor();
    // the same cookie jar as the page: this ends the page's own session
    const logout = await page.request.post('/graphql', { data: { query: 'mutation { logout { ok } }' } });
    expect(await logout.json()).toEqual({ data: { logout: { ok: true } } });
    await navLink('Products').click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/products');
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
