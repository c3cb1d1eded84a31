// `pnpm screenshots`: the README's pictures. The browser tests (test/e2e) save every main page at
// 1280 and 390 px into test/.artifacts while they drive the real server; this copies the ones the
// README shows into docs/screenshots, so the pictures are always of what the tests just checked.
// Run by `pnpm screenshots` after those tests; fails if a page the README shows was not captured.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test/.artifacts');
const target = path.join(root, 'docs/screenshots');

/** what the README shows, by the names the browser tests give them */
const README_SCREENSHOTS = [
  'home-1280', 'connectors-1280', 'connector-form-1280', 'connector-records-1280', 'connector-operations-running-1280',
  'product-1280', 'findings-1280', 'finding-1280', 'notifications-matrix-1280', 'notifications-deliveries-1280', 'admin-users-1280',
  'home-390', 'connector-records-390', 'finding-390',
] as const;

await mkdir(target, { recursive: true });
const missing: string[] = [];
for (const name of README_SCREENSHOTS) {
  const from = path.join(artifacts, `${name}.png`);
  if (!(await stat(from).catch(() => null))) { missing.push(name); continue; }
  await copyFile(from, path.join(target, `${name}.png`));
}
if (missing.length) {
  console.error(`not captured by the browser tests: ${missing.join(', ')} (run \`pnpm --filter @tributary/test exec vitest run e2e\` first)`);
  process.exit(1);
}
console.log(`${README_SCREENSHOTS.length} screenshots copied to docs/screenshots`);
