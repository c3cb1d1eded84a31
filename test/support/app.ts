// Boots the real app (API + worker unless a role is given) on a fresh database, on a free port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp, type App } from '@tributary/server/app.ts';
import { loadConfig } from '@tributary/server/config.ts';
import type { Logger } from '@tributary/server/logger.ts';
import { createTestDatabase } from './db.ts';
import { SHARED_ENV } from './env.ts';
import { graphqlClient, type GraphqlClient } from './graphql.ts';

// what a test that boots an app needs beside it, from the same import
export { ADMIN } from './env.ts';
export type { GqlResult } from './graphql.ts';

export interface TestApp extends GraphqlClient {
  app: App;
  url: string;
  databaseUrl: string;
  /** rows of one statement against the app's database */
  sql<T extends pg.QueryResultRow = any>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  role?: 'all' | 'api' | 'worker';
  /** another app's database (a second process of one deployment); a fresh one otherwise */
  databaseUrl?: string;
  env?: Record<string, string>;
  /** every SQL statement Prisma sends */
  onQuery?: (sql: string) => void;
  logger?: Logger;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = opts.databaseUrl ?? db!.url;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tributary-test-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl, PORT: '0', TRIBUTARY_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...SHARED_ENV,
    ...opts.env,
  }, opts.role ? ['--role', opts.role] : []);
  const app = await buildApp(config, { print: () => {}, onQuery: opts.onQuery, logger: opts.logger });
  await app.start();
  // connects on first use only
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    ...graphqlClient(app.url),
    app,
    url: app.url,
    databaseUrl,
    async sql(text, params) { return (await pool.query(text, params)).rows; },
    async stop() {
      await pool.end();
      await app.stop();
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
