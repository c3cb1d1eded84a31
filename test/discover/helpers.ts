// What the discover tests share: an app whose logs are captured in memory, connectors made from a
// fake tool, operations run through GraphQL and the real worker, and record listings.
import pg from 'pg';
import { expect } from 'vitest';
import { createLogger } from '@tributary/server/logger.ts';
import type { FakeTool, FakeVep } from '../fakes/fake.ts';
import { uuidFor } from '../fakes/vendor-ids.ts';
import { startTestApp, waitFor, type TestApp } from '../support/app.ts';

export interface DiscoverApp extends TestApp {
  /** admin bearer token */
  token: string;
  /** every log line the app wrote (pino JSON) */
  logs: string[];
  /** data of a GraphQL call that must succeed */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  sql<T extends pg.QueryResultRow = any>(text: string, params?: unknown[]): Promise<T[]>;
}

export async function startDiscoverApp(opts: Parameters<typeof startTestApp>[0] = {}): Promise<DiscoverApp> {
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => { logs.push(line); } });
  const t = await startTestApp({ ...opts, logger });
  const token = opts.role === 'worker' ? '' : await t.login();
  const pool = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
  return {
    ...t,
    token,
    logs,
    async ok(query, variables) {
      const r = await t.gql(query, variables, token);
      if (r.errors?.length || !r.data) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
      return r.data as any;
    },
    async sql(text, params) { return (await pool.query(text, params)).rows; },
    async stop() { await pool.end(); await t.stop(); },
  };
}

/** A project key in the shape each tool uses (DT and Snyk want UUIDs, GitHub/GitLab numeric ids). */
export function keyFor(kind: string, n: number): string {
  if (kind === 'dependency-track' || kind === 'snyk') return uuidFor(`discover-project-${n}`);
  if (kind === 'github' || kind === 'gitlab') return String(7100 + n);
  if (kind === 'sonarqube') return `org.example:app-${n}`;
  // a SARIF directory's key is its name
  return `app-${n}`;
}

export function projectsFor(kind: string, numbers: number[]): FakeVep[] {
  return numbers.map((n) => ({ key: keyFor(kind, n), name: `app-${n}` }));
}

export const CONNECTOR_FIELDS = `id name kind url hasSecret options autoMap minimumSeverity discoverSchedule syncSchedule
  nextDiscoverAt nextSyncAt operationsRetained`;
export const OPERATION_FIELDS = `id type status trigger startedAt endedAt durationMs error
  stats { recordsDiscovered recordsNew recordsMissing recordsSynced findingsNew findingsClosed findingsReactivated findingsUntouched }`;

export async function createConnector(t: DiscoverApp, fake: FakeTool, input: Record<string, unknown> = {}): Promise<any> {
  const data = await t.ok(`mutation($i: CreateConnectorInput!) { createConnector(input: $i) { connector { ${CONNECTOR_FIELDS} } } }`, {
    i: { name: `${fake.kind} ${Math.random().toString(36).slice(2, 8)}`, kind: fake.kind, url: fake.url, secret: fake.token, options: fake.options, discoverSchedule: '', syncSchedule: '', ...input },
  });
  return data.createConnector.connector;
}

export async function updateConnector(t: DiscoverApp, id: string, input: Record<string, unknown>): Promise<any> {
  const data = await t.ok(`mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { connector { ${CONNECTOR_FIELDS} } } }`, { i: { id, ...input } });
  return data.updateConnector.connector;
}

export async function operation(t: DiscoverApp, id: string): Promise<any> {
  return (await t.ok(`query($id: ID!) { node(id: $id) { ... on Operation { ${OPERATION_FIELDS} } } }`, { id })).node;
}

export async function waitFinished(t: DiscoverApp, operationId: string): Promise<any> {
  return waitFor(async () => {
    const op = await operation(t, operationId);
    return op.status === 'SUCCEEDED' || op.status === 'FAILED' ? op : null;
  }, `operation ${operationId} to finish`);
}

/** Starts an operation through GraphQL and waits for the worker to finish it. */
export async function runOperation(t: DiscoverApp, connectorId: string, type: 'Discover' | 'Sync' = 'Discover'): Promise<any> {
  const data = await t.ok(`mutation($c: ID!) { run${type}(input: { connectorId: $c }) { operation { id type trigger } } }`, { c: connectorId });
  const started = data[`run${type}`].operation;
  // its status may already be past PENDING: the worker picks a job up within milliseconds
  expect(started).toMatchObject({ type: type.toUpperCase(), trigger: 'MANUAL' });
  return waitFinished(t, started.id);
}

export async function discover(t: DiscoverApp, connectorId: string): Promise<any> {
  const op = await runOperation(t, connectorId);
  if (op.status !== 'SUCCEEDED') throw new Error(`discover failed: ${op.error}`);
  return op;
}

export interface RecordView { id: string; vendorKey: string; name: string; state: string; product: { id: string; name: string } | null; finalizedAt: string | null }

export async function records(t: DiscoverApp, connectorId: string): Promise<RecordView[]> {
  const data = await t.ok(`query($id: ID!) { node(id: $id) { ... on Connector {
      records(first: 100) { totalCount nodes { id vendorKey name state product { id name } finalizedAt } } } } }`, { id: connectorId });
  expect(data.node.records.totalCount).toBe(data.node.records.nodes.length);
  return data.node.records.nodes;
}

/** vendorKey → state, the shape most assertions want */
export async function states(t: DiscoverApp, connectorId: string): Promise<Record<string, string>> {
  return Object.fromEntries((await records(t, connectorId)).map((r) => [r.vendorKey, r.state]));
}

export function errorOf(r: { errors?: Array<{ message: string; extensions?: { code?: string; fields?: string[] } }> }) {
  const e = r.errors?.[0];
  return { code: e?.extensions?.code, fields: e?.extensions?.fields, message: e?.message ?? '' };
}
