// The dashboard shell in a real browser against the real server: login, the cookie session
// surviving a reload through the SPA history fallback, creating a product, logging out.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '@tributary/server/app.ts';
import { loadConfig } from '@tributary/server/config.ts';
import { createTestDatabase } from '../support/db.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test/.artifacts');
const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'correct horse battery';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof buildApp>>;
let dataDir: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  // the server serves the built dashboard; `pnpm test` builds it before running the suite
  if (!existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `pnpm --filter @tributary/web build` first');
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'tributary-e2e-'));
  app = await buildApp(loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    TRIBUTARY_ADMIN_EMAIL: ADMIN_EMAIL,
    TRIBUTARY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TRIBUTARY_DATA_DIR: dataDir,
  }, []));
  await app.start();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ baseURL: app.url, viewport: { width: 1200, height: 760 } });
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function pathname(): string {
  return new URL(page.url()).pathname;
}

describe('dashboard shell', () => {
  it('sends an anonymous visitor to the login page', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    expect(pathname()).toBe('/login');
    expect(await page.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);
  });

  it("shows the server's message for a wrong password and stays on the login page", async () => {
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe('Invalid email or password.');
    expect(pathname()).toBe('/login');
  });

  it('logs in and lands on the dashboard with the viewer and an empty product list', async () => {
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN_EMAIL);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Welcome, Administrator');
    await page.getByText('No products yet').waitFor();
    expect((await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((text) => text.trim()))
      .toEqual(['Dashboard', 'Products']);
  });

  it('creates a product on the Products page and lists it', async () => {
    await page.getByRole('link', { name: 'Products' }).click();
    await page.waitForURL('**/products');
    await page.getByLabel('Name').fill('Payments API');
    await page.getByLabel('Description').fill('Card processing backend');
    await page.getByRole('button', { name: 'Create product' }).click();
    const row = page.getByTestId('product-table').locator('tbody tr', { hasText: 'Payments API' });
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).map((cell) => cell.trim()))
      .toEqual(['Payments API', 'Card processing backend', '0']);
    expect(await page.getByLabel('Name').inputValue()).toBe('');
  });

  it('keeps the session across a reload of /products (history fallback + cookie)', async () => {
    await page.reload();
    expect(pathname()).toBe('/products');
    const rows = page.getByTestId('product-table').locator('tbody tr');
    await rows.first().waitFor();
    expect((await rows.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()))
      .toEqual(['Payments API Card processing backend 0']);
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN_EMAIL);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  });

  it('lists the product on the dashboard with its active finding count', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    const summaries = page.getByTestId('product-summaries').locator('li');
    await summaries.first().waitFor();
    expect((await summaries.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim())).toEqual(['Payments API 0']);
  });

  it('logs out back to the login page, and the session is gone server-side too', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/products');
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/products');
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
