// Tributary as separate OS processes (`tsx server/src/main.ts --role …`) sharing one database, and
// graphql-ws subscribers to them: live events must cross process boundaries through PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort } from '@tributary/server/db/postgres.ts';
import { SHARED_ENV } from './env.ts';
import { graphqlClient, type GqlError, type GraphqlClient, type Variables } from './graphql.ts';
import { sleep } from './wait.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ServerProcess extends GraphqlClient {
  url: string;
  pid: number;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  /** resolves with the exit code once the process has exited */
  exited: Promise<number | null>;
  /** the value of a Prometheus metric without labels */
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

/** `node` on the TypeScript sources through tsx's loader, or on `pnpm build`'s output (no loader) */
export const SOURCE_ENTRY = ['--import', 'tsx', 'server/src/main.ts'];
export const BUILT_ENTRY = ['--conditions=tributary-dist', 'server/dist/main.js'];

export interface SpawnOptions {
  /** run server/dist (pnpm build) instead of the sources */
  built?: boolean;
}

export async function spawnServer(role: 'api' | 'worker', databaseUrl: string, extraEnv: Record<string, string> = {}, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tributary-${role}-`));
  // node with tsx's loader, not the tsx CLI: one OS process, whose pid is the server's (RSS is read from it)
  const child: ChildProcess = spawn(process.execPath, [...(opts.built ? BUILT_ENTRY : SOURCE_ENTRY), '--role', role], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), TRIBUTARY_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      ...SHARED_ENV,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${role} process exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${role} process not healthy within 60 s:\n${output}`); }
    await sleep(100);
  }
  return {
    ...graphqlClient(url),
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    async metric(name) {
      const text = await (await fetch(`${url}/metrics`, { headers: metricsHeaders(extraEnv) })).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (!line) throw new Error(`no metric ${name}`);
      return Number(line.slice(name.length + 1));
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function metricsHeaders(env: Record<string, string>): Record<string, string> {
  return env.TRIBUTARY_METRICS_TOKEN ? { authorization: `Bearer ${env.TRIBUTARY_METRICS_TOKEN}` } : {};
}

/** the sum of a metric's samples whose labels include `labels` (0 when there are none) */
export async function metricSum(url: string, name: string, labels: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

export interface Subscriber<T = any> {
  client: Client;
  /** `data` of every `next` message, in order */
  events: T[];
  /** GraphQL errors the subscription ended with */
  errors: GqlError[];
  completed: Promise<void>;
  dispose(): Promise<void>;
}

export function wsClient(url: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** one subscription on its own client; `token` goes in connectionParams as a Bearer token */
export function subscribe<T = any>(url: string, token: string | null, query: string, variables: Variables = {}): Subscriber<T> {
  const client = wsClient(url, token ? { authorization: `Bearer ${token}` } : {});
  return subscribeOn<T>(client, query, variables);
}

export function subscribeOn<T = any>(client: Client, query: string, variables: Variables = {}): Subscriber<T> {
  const events: T[] = [];
  const errors: GqlError[] = [];
  let unsubscribe = () => {};
  const completed = new Promise<void>((resolve) => {
    unsubscribe = client.subscribe<T>({ query, variables }, {
      next: (msg) => { if (msg.errors) errors.push(...(msg.errors as never[])); if (msg.data) events.push(msg.data as T); },
      error: (e) => { errors.push(...(Array.isArray(e) ? e : [{ message: String((e as Error).message ?? e) }])); resolve(); },
      complete: () => resolve(),
    });
  });
  return { client, events, errors, completed, async dispose() { unsubscribe(); await client.dispose(); } };
}
