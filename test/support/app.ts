// Boots the real app (API + worker unless a role is given) on a fresh database, on a free port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '@tributary/server/app.ts';
import { loadConfig } from '@tributary/server/config.ts';
import type { Logger } from '@tributary/server/logger.ts';
import { createTestDatabase } from './db.ts';

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };

export interface GqlResult<T = any> { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; fields?: string[] } }> }

export interface TestApp {
  app: App;
  url: string;
  databaseUrl: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  login(email?: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestApp(opts: { role?: 'all' | 'api' | 'worker'; databaseUrl?: string; env?: Record<string, string>; onQuery?: (sql: string) => void; logger?: Logger } = {}): Promise<TestApp> {
  const db = opts.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = opts.databaseUrl ?? db!.url;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tributary-test-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl, PORT: '0', TRIBUTARY_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    TRIBUTARY_ADMIN_EMAIL: ADMIN.email, TRIBUTARY_ADMIN_PASSWORD: ADMIN.password,
    // every process of one deployment shares the key
    TRIBUTARY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    // the SARIF fakes and tests make their report directories in the OS temp dir
    TRIBUTARY_SARIF_ROOT: os.tmpdir(),
    ...opts.env,
  }, opts.role ? ['--role', opts.role] : []);
  const app = await buildApp(config, { print: () => {}, onQuery: opts.onQuery, logger: opts.logger });
  await app.start();
  const gql = async <T,>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>> => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  };
  return {
    app,
    url: app.url,
    databaseUrl,
    gql,
    async login(email = ADMIN.email, password = ADMIN.password) {
      const r = await gql<{ login: { token: string } }>('mutation($i: LoginInput!) { login(input: $i) { token } }', { i: { email, password } });
      if (!r.data?.login) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
      return r.data.login.token;
    },
    async stop() {
      await app.stop();
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
