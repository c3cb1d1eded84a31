// The dashboard shell in a real browser against the real server: sign-in and the cookie session
// surviving a reload through the SPA history fallback, the Products page, the 404 page, an alert
// arriving live in the bell, the phone layout (no horizontal scrolling, navigation behind a menu
// button), signing out. Screenshots of the main pages at 1280 and 390 px go to test/.ARTIFACTS/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS, LAPTOP, PHONE, collectConsoleErrors, launchChromium, savePage } from '../support/browser.ts';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_PRODUCT } from '../support/documents.ts';


const ALERT_ON_PRODUCT_ADDED = /* GraphQL */ `
  mutation { updateNotificationSettings(input: { scope: PERSONAL, events: [{ event: "product_added", methods: [ALERT] }] }) { settings { scope } } }`;

let t: TestApp;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchChromium();
  page = await browser.newPage({ baseURL: t.url, viewport: LAPTOP });
  collectConsoleErrors(page, consoleErrors);
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

const screenshot = (name: string) => savePage(page, name);

/** the phone check: nothing wider than the viewport */
async function horizontalOverflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Each row as its trimmed cell texts: the built templates drop the whitespace between cells. */
async function rowCells(rows: Locator, cell: string): Promise<string[][]> {
  return Promise.all((await rows.all()).map(async (row) => (await row.locator(cell).allTextContents()).map((text) => text.trim())));
}

describe('dashboard shell', () => {
  it('sends an anonymous visitor to the sign-in page', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    expect(pathname()).toBe('/login');
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    await screenshot('login');
  });

  it("shows the server's message for a wrong password and stays on the sign-in page", async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe('Invalid email or password.');
    expect(pathname()).toBe('/login');
  });

  it('signs in and lands on Home with the viewer, its charts and empty states', async () => {
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN.email);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Welcome, Administrator');
    // Admin shows once the viewer is known to be a superuser
    await navLink('Admin').waitFor();
    expect((await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((text) => text.trim()))
      .toEqual(['Home', 'Connectors', 'Products', 'Findings', 'Notifications', 'Admin']);
    await page.getByText('No connectors yet').waitFor();
    await page.getByText('No alerts yet').first().waitFor();
    expect(await page.getByRole('img', { name: /^Open findings by severity: Critical 0/ }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Alerts, 0 unread' }).isVisible()).toBe(true);
  });

  it('creates a product on the Products page and lists it', async () => {
    await navLink('Products').click();
    await page.waitForURL('**/products');
    await page.getByLabel('Name', { exact: true }).fill('Payments API');
    await page.getByLabel('Description').fill('Card processing backend');
    await page.getByRole('button', { name: 'Create product' }).click();
    const row = page.getByTestId('product-table').locator('tbody tr', { hasText: 'Payments API' });
    await row.waitFor();
    expect(await rowCells(row, 'td')).toEqual([['Payments API', 'Card processing backend', '0']]);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('');
  });

  it('keeps the session across a reload of /products (history fallback + cookie)', async () => {
    await page.reload();
    expect(pathname()).toBe('/products');
    const rows = page.getByTestId('product-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rowCells(rows, 'td')).toEqual([['Payments API', 'Card processing backend', '0']]);
    expect((await page.getByTestId('viewer-email').textContent())?.trim()).toBe(ADMIN.email);
  });

  it('pages through products 20 at a time', async () => {
    const token = await t.login();
    for (let i = 1; i <= 21; i++) {
      await t.ok(CREATE_PRODUCT, { i: { name: `Product ${String(i).padStart(2, '0')}` } }, token);
    }
    await page.goto('/products');
    const table = page.getByTestId('product-table');
    const names = () => table.locator('tbody tr td:nth-child(1)').allTextContents();
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
    await screenshot('products');
  });

  it('searches products by name and keeps the search in the URL', async () => {
    const search = page.getByRole('searchbox', { name: 'Search products by name' });
    await search.fill('Product 2');
    await search.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'Product 2');
    const table = page.getByTestId('product-table');
    await page.getByText('2 products', { exact: true }).waitFor();
    expect(await table.locator('tbody tr td:nth-child(1)').allTextContents()).toEqual(['Product 20', 'Product 21']);
    await page.goto('/products');
  });

  it('shows the not-found page for an unknown address, inside the shell', async () => {
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.getByText('/no/such/page').isVisible()).toBe(true);
    expect(await page.getByTestId('viewer-email').isVisible()).toBe(true);
    await screenshot('not-found');
    await page.getByRole('link', { name: 'Go to Home' }).click();
    await page.waitForURL((url) => url.pathname === '/');
  });

  it('rings the bell when an alert arrives, without a reload, and marks it read', async () => {
    const token = await t.login();
    await t.ok(ALERT_ON_PRODUCT_ADDED, {}, token);
    await page.getByRole('button', { name: 'Alerts, 0 unread' }).waitFor();
    // give the websocket its subscription before the event happens
    await page.waitForFunction(() => document.readyState === 'complete');
    await page.waitForTimeout(300);
    await t.ok(CREATE_PRODUCT, { i: { name: 'Checkout Web' } }, token);
    const bell = page.getByRole('button', { name: 'Alerts, 1 unread' });
    await bell.waitFor({ timeout: 20_000 });
    expect((await page.getByTestId('alert-unread').textContent())?.trim()).toBe('1');
    // Home's own list of recent alerts is the same cached list: it shows the alert too
    await page.getByTestId('recent-alerts').getByText('Product Checkout Web added').waitFor();
    await screenshot('home');

    await bell.click();
    const panel = page.getByRole('region', { name: 'Alert list', exact: true });
    await panel.getByText('Product Checkout Web added').waitFor();
    await screenshot('alert-bell');
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('button', { name: 'Alerts, 0 unread' }).waitFor();
    expect(await page.getByTestId('alert-unread').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await panel.count()).toBe(0);
    // focus goes back to the bell
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('alert-bell');
  });

  it('fits a phone: no horizontal scrolling, the navigation behind a menu button', async () => {
    await page.setViewportSize(PHONE);
    for (const target of ['/', '/products', '/no/such/page']) {
      await page.goto(target);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (target === '/') await page.getByTestId('recent-alerts').waitFor();
      if (target === '/products') await page.getByTestId('product-table').locator('tbody tr').first().waitFor();
      expect(await horizontalOverflow(), `horizontal overflow on ${target}`).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(target === '/' ? 'home' : target === '/products' ? 'products' : 'not-found');
    }
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await navLink('Products').isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await navLink('Products').waitFor();
    await screenshot('navigation');
    expect(await horizontalOverflow()).toBe(0);
    await navLink('Products').click();
    await page.waitForURL('**/products');
    expect(await navLink('Products').isVisible()).toBe(false);
    await page.setViewportSize(LAPTOP);
  });

  it('signs out back to the sign-in page, and the session is gone server-side too', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/products');
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/products');
  });

  it('returns to the sign-in page when the server ends the session behind its back', async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/products');
    await navLink('Home').click();
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
    // the same cookie jar as the page: this ends the page's own session
    const logout = await page.request.post('/graphql', { data: { query: 'mutation { logout { ok } }' } });
    expect(await logout.json()).toEqual({ data: { logout: { ok: true } } });
    await navLink('Products').click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/products');
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
