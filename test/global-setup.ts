// One PostgreSQL for the whole run (embedded unless DATABASE_URL is set) and one migrated template
// database; every test file clones its own database from the template (test/support/db.ts), which
// takes ~100 ms instead of re-running migrations.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from 'graphile-worker';
import type { TestProject } from 'vitest/node';
import { createPool, startEmbeddedPostgres, type PostgresHandle } from '@tributary/server/db/postgres.ts';
import { applyMigrations } from '@tributary/server/db/migrate.ts';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data', `pg-test-${process.pid}`);
let server: PostgresHandle | undefined;

export const TEMPLATE_DB = 'tributary_template';

export async function setup(project: TestProject) {
  const t0 = Date.now();
  let url = process.env.DATABASE_URL;
  if (!url) {
    server = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
    url = server.url;
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await c.end();
  const templateUrl = new URL(admin); templateUrl.pathname = `/${TEMPLATE_DB}`;
  const pool = createPool(templateUrl.toString(), 2);
  await applyMigrations(pool);
  await runMigrations({ pgPool: pool });
  await pool.end();
  console.log(`[global-setup] PostgreSQL (${server ? 'embedded' : 'DATABASE_URL'}) + template ready in ${Date.now() - t0} ms`);
  project.provide('adminDatabaseUrl', admin.toString());
}

export async function teardown() {
  if (server) {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-password`, { force: true });
  }
}

declare module 'vitest' {
  export interface ProvidedContext { adminDatabaseUrl: string }
}
