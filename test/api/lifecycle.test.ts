// `pnpm start` as a newcomer runs it: an embedded PostgreSQL in TRIBUTARY_DATA_DIR, a URL printed,
// /healthz answering, and on SIGTERM an orderly stop that leaves no PostgreSQL behind.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@tributary/server/db/postgres.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

it('starts on an embedded PostgreSQL, prints the URL and the generated password once, and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  // info: the ready and shutdown lines are log lines (JSON here: stdout is a pipe)
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TRIBUTARY_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.TRIBUTARY_ADMIN_PASSWORD;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const deadline = Date.now() + 60_000;
  while (!out.includes(`Open http://127.0.0.1:${port}/`)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(out).toMatch(/Created the superuser admin@localhost with the generated password: \S+/);
  expect(out).toContain(`on embedded PostgreSQL in ${dataDir}`);
  expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json())).toEqual({ ok: true });
  const spa = await fetch(`http://127.0.0.1:${port}/products/42`);
  expect(spa.status).toBe(200);
  expect(await spa.text()).toContain('<div id="app">');

  // the embedded PostgreSQL's generated superuser password: in a 0600 file, never in the output
  const pgPassword = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  expect(statSync(path.join(dataDir, 'pg-password')).mode & 0o777).toBe(0o600);
  expect(pgPassword.length).toBeGreaterThanOrEqual(32);

  const pgPort = Number(/^(\d+)$/m.exec(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]!)?.[1]);
  expect(await portOpen(pgPort)).toBe(true);
  child.kill('SIGTERM');
  expect(await exited).toBe(143);
  expect(await portOpen(pgPort)).toBe(false);
  expect(out).toContain('SIGTERM: shutting down');
  expect(out).not.toContain(pgPassword);
}, 90_000);

it('says why when the embedded PostgreSQL cannot start, and exits 1', async () => {
  const broken = mkdtempSync(path.join(os.tmpdir(), 'tributary-broken-'));
  try {
    // a data directory that claims to be initialised but has no configuration
    mkdirSync(path.join(broken, 'pg'));
    writeFileSync(path.join(broken, 'pg', 'PG_VERSION'), '18\n');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), TRIBUTARY_DATA_DIR: broken, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toContain(`Tributary could not start: embedded PostgreSQL start failed in ${path.join(broken, 'pg')}: `);
    expect(out).toMatch(/postgresql\.conf/);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
}, 60_000);
