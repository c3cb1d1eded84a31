// What the container image runs: `pnpm build`'s JavaScript under plain `node` (no TypeScript loader).
// Migrations applied once by several processes starting together, /healthz and /readyz, /metrics
// behind its token with the named series, and SIGTERM closing websockets with a reconnectable code.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, SHARED_ENV } from '../support/env.ts';
import { BUILT_ENTRY, spawnServer, wsClient, type ServerProcess } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const METRICS_TOKEN = 'scrape-me-please-0123456789';
const run = promisify(execFile);

let adminUrl: string;
let dbName: string;
let databaseUrl: string;
let sql: pg.Client;
let api: ServerProcess | null = null;

beforeAll(async () => {
  // the server and its database package, compiled by tsc (the dashboard's build is pnpm test's own step)
  await run('pnpm', ['--filter', '@tributary/db', '--filter', '@tributary/server', 'build'], { cwd: ROOT });
  adminUrl = inject('adminDatabaseUrl');
  dbName = `t_built_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  // empty, not cloned from the migrated template: the migrate role has everything to do
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(adminUrl); u.pathname = `/${dbName}`;
  databaseUrl = u.toString();
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await sql?.end();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

function migrate(): Promise<{ code: number | null; out: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-migrate-'));
  const child = spawn(process.execPath, [...BUILT_ENTRY, '--role', 'migrate'], {
    cwd: ROOT, env: { ...process.env, ...SHARED_ENV, DATABASE_URL: databaseUrl, TRIBUTARY_DATA_DIR: dataDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('exit', (code) => { rmSync(dataDir, { recursive: true, force: true }); resolve({ code, out }); }));
}

describe('the built server', () => {
  it('--role migrate run by three processes at once applies each migration exactly once, and exits 0', async () => {
    const results = await Promise.all([migrate(), migrate(), migrate()]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const applied = results.filter((r) => /applied \d+ migration/.test(r.out));
    expect(applied.length).toBe(1);
    expect(results.filter((r) => r.out.includes('migrations already current')).length).toBe(2);
    const rows = (await sql.query('SELECT migration_name, count(*)::int n FROM "_prisma_migrations" GROUP BY 1')).rows;
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // graphile-worker's schema too
    expect((await sql.query(`SELECT count(*)::int n FROM graphile_worker.migrations`)).rows[0].n).toBeGreaterThan(0);
  }, 120_000);

  it('runs under plain node: /healthz, /readyz (and why not ready), /metrics behind its token with the named series', async () => {
    api = await spawnServer('api', databaseUrl, { TRIBUTARY_METRICS_TOKEN: METRICS_TOKEN, LOG_LEVEL: 'info' }, { built: true });
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { process: 'ok', database: 'ok', migrations: 'ok' } });

    // a migration of this build missing from the database: not ready, and it says which
    const [last] = (await sql.query('DELETE FROM "_prisma_migrations" WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations") RETURNING *')).rows;
    const notReady = await fetch(`${api.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect((await notReady.json()).checks.migrations).toBe(`pending: ${last.migration_name} (run --role migrate)`);
    await sql.query(`INSERT INTO "_prisma_migrations" SELECT * FROM json_populate_record(NULL::"_prisma_migrations", $1)`, [JSON.stringify(last)]);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);

    // a named GraphQL operation and a request id carried through to the log
    const login = await fetch(`${api.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-from-nginx-1' },
      body: JSON.stringify({ operationName: 'SignIn', query: 'mutation SignIn($i: LoginInput!) { login(input: $i) { token } }', variables: { i: ADMIN } }),
    });
    expect(login.headers.get('x-request-id')).toBe('req-from-nginx-1');
    const token = (await login.json()).data.login.token as string;
    expect(token).toBeTruthy();

    // a subscriber holds a websocket, so the connection and subscription gauges have something to show
    const client = wsClient(api.url, { authorization: `Bearer ${token}` });
    client.subscribe({ query: 'subscription { operationChanged { id } }' }, { next: () => {}, error: () => {}, complete: () => {} });

    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    await waitFor(async () => (await api!.metric('tributary_live_subscriptions')) === 1, 'the subscription');
    const text = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    for (const series of [
      'tributary_http_request_duration_seconds_count{route="/graphql",method="POST",status="200"}',
      'tributary_graphql_operation_duration_seconds_count{operation="SignIn",type="mutation",outcome="ok"} 1',
      'tributary_websocket_connections 1',
      'tributary_live_subscriptions 1',
      'tributary_operations{type="SYNC",status="PENDING"} 0',
      'tributary_jobs_total', 'tributary_job_duration_seconds', 'tributary_jobs_running',
      'tributary_queue_jobs', 'tributary_deliveries', 'tributary_operations_total',
      'tributary_sync_findings_total 0', 'tributary_sync_findings_per_second',
    ]) expect(text, series).toContain(series);
    await waitFor(() => api!.output().includes('"reqId":"req-from-nginx-1"'), 'the request id in the log');
    expect(api.output()).not.toContain(ADMIN.password);
    expect(api.output()).not.toContain(token);

    // SIGTERM: the websocket is closed with 1012 (Service Restart), which graphql-ws clients retry
    const closed = new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
    const started = Date.now();
    process.kill(api.pid, 'SIGTERM');
    expect(await closed).toBe(1012);
    expect(await api.exited).toBe(143);
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.dispose();
  }, 120_000);
});
