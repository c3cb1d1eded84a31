// The embedded PostgreSQL is not open to every local process: its superuser password is generated per
// data directory into a 0600 file, kept across restarts, required by pg_hba.conf, and data directories
// from before (fixed password 'postgres') are moved to a generated one.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it, vi } from 'vitest';
import { startEmbeddedPostgres, type PostgresHandle } from '@tributary/server/db/postgres.ts';
import { loadOrCreatePassword } from '@tributary/server/db/postgres-password.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-pgpw-'));
const dataDir = path.join(root, 'pg');
const pwFile = path.join(root, 'pg-password');
let handle: PostgresHandle | undefined;
afterAll(async () => {
  await handle?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** 'ok', or the SQLSTATE the login failed with */
async function login(url: string, password: string): Promise<string> {
  const u = new URL(url);
  const c = new pg.Client({ host: u.hostname, port: Number(u.port), user: 'postgres', password, database: 'postgres' });
  try {
    await c.connect();
    await c.end();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

const hbaMethods = () => readFileSync(path.join(dataDir, 'pg_hba.conf'), 'utf8').split('\n')
  .filter((l) => /^(local|host)/.test(l)).map((l) => l.trim().split(/\s+/).at(-1));

it('generates a password into a 0600 file, requires it, and refuses the old fixed one', async () => {
  handle = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  expect(await login(handle.url, 'postgres')).toBe('28P01'); // 28P01: invalid_password
  const password = readFileSync(pwFile, 'utf8').trim();
  expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
  expect(statSync(pwFile).mode & 0o777).toBe(0o600);
  expect(new URL(handle.url).password).toBe(password);
  expect(await login(handle.url, password)).toBe('ok');
  expect(await login(handle.url, `${password}x`)).toBe('28P01');
  expect(new Set(hbaMethods())).toEqual(new Set(['scram-sha-256']));
});

it('keeps the password across restarts of the same data directory', async () => {
  const before = readFileSync(pwFile, 'utf8');
  await handle!.stop();
  handle = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  expect(readFileSync(pwFile, 'utf8')).toBe(before);
  expect(new URL(handle.url).password).toBe(before.trim());
  expect(await login(handle.url, before.trim())).toBe('ok');
});

it('moves a data directory from before (password postgres, no file, password/trust rules) to a generated password, logging neither', async () => {
  // what older versions left: the fixed password, `password` rules, no password file; a hand-added
  // `trust` rule and statement logging (so a plaintext ALTER ROLE would reach the log) on top
  await sql(handle!.url, `ALTER SYSTEM SET log_statement = 'all'`);
  await sql(handle!.url, `ALTER ROLE postgres PASSWORD 'postgres'`);
  await handle!.stop();
  handle = undefined;
  const old = readFileSync(pwFile, 'utf8').trim();
  unlinkSync(pwFile);
  const hba = path.join(dataDir, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replaceAll('scram-sha-256', 'password').replace(/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)password$/m, '$1trust'));
  expect(hbaMethods()).toContain('trust');

  const logged: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { logged.push(String(chunk)); return true; });
  vi.stubEnv('PG_DEBUG', '1');
  try {
    handle = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  } finally {
    vi.unstubAllEnvs();
    spy.mockRestore();
  }
  const password = readFileSync(pwFile, 'utf8').trim();
  expect(password).not.toBe(old);
  expect(statSync(pwFile).mode & 0o777).toBe(0o600);
  expect(await login(handle.url, password)).toBe('ok');
  expect(await login(handle.url, 'postgres')).toBe('28P01');
  expect(new Set(hbaMethods())).toEqual(new Set(['scram-sha-256']));
  // the server did log the migration statement, with a SCRAM verifier in place of the password
  expect(logged.join('')).not.toContain(password);
  expect(logged.join('')).toMatch(/ALTER ROLE postgres PASSWORD 'SCRAM-SHA-256\$4096:/);
});

it('says which file holds a password the data directory refuses, without quoting either', async () => {
  const password = readFileSync(pwFile, 'utf8').trim();
  await handle!.stop();
  handle = undefined;
  const wrong = 'A'.repeat(43);
  writeFileSync(pwFile, `${wrong}\n`);
  try {
    const err = await startEmbeddedPostgres({ dataDir, database: 'postgres' }).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`refuses the password in ${pwFile}`);
    expect(err?.message).not.toContain(wrong);
    expect(err?.message).not.toContain(password);
  } finally {
    writeFileSync(pwFile, `${password}\n`);
  }
});

it('gives processes racing to create the password file the same password', async () => {
  const file = path.join(root, 'race-password');
  const got = await Promise.all(Array.from({ length: 8 }, () => loadOrCreatePassword(file)));
  expect(new Set(got).size).toBe(1);
  expect(readFileSync(file, 'utf8').trim()).toBe(got[0]);
  expect(readdirSync(root).filter((f) => f.startsWith('race-password'))).toEqual(['race-password']);
});
