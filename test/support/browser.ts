// What every browser test needs: Debian's Chromium (no browser downloads here: STACK.md), the
// built dashboard the server serves, the two widths each page is checked and photographed at, and
// the console errors a page must not have.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** screenshots (and the page at a failure) go here; `pnpm screenshots` copies the README's */
export const ARTIFACTS = path.join(ROOT, 'test/.artifacts');
export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Chromium headless, as STACK.md says it runs on these machines; fails early if the dashboard is not built. */
export async function launchChromium(): Promise<Browser> {
  // the server serves web/dist; `pnpm test` builds it before running the suite
  if (!existsSync(path.join(ROOT, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `pnpm --filter @tributary/web build` first');
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** every console error and uncaught page error of `page`, into `errors` */
export function collectConsoleErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
}

/** the whole page at its current width, as test/.artifacts/<name>-<width>.png */
export async function savePage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}
