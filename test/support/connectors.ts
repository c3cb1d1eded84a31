// The discover and sync tests' harness: an app whose logs are captured in memory, connectors made
// from a fake tool, operations run through GraphQL and the real worker, and record listings.
import { expect } from 'vitest';
import { createLogger } from '@tributary/server/logger.ts';
import type { FakeTool } from '../fakes/fake.ts';
import { startTestApp, type TestApp, type TestAppOptions } from './app.ts';
import { CREATE_CONNECTOR, CREATE_PRODUCT, MAP_RECORD, OPERATION, RECORDS, RUN_DISCOVER, RUN_SYNC, UPDATE_CONNECTOR } from './documents.ts';
import { waitFor } from './wait.ts';

export interface DiscoverApp extends TestApp {
  /** admin bearer token, what `ok` sends unless told otherwise */
  token: string;
  /** every log line the app wrote (pino JSON) */
  logs: string[];
}

export async function startDiscoverApp(opts: TestAppOptions = {}): Promise<DiscoverApp> {
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => { logs.push(line); } });
  const t = await startTestApp({ ...opts, logger });
  const token = opts.role === 'worker' ? '' : await t.login();
  return { ...t, token, logs, ok: (query, variables, as = token) => t.ok(query, variables, as) };
}

export async function createConnector(t: DiscoverApp, fake: FakeTool, input: Record<string, unknown> = {}): Promise<any> {
  const data = await t.ok(CREATE_CONNECTOR, {
    i: {
      name: `${fake.kind} ${Math.random().toString(36).slice(2, 8)}`, kind: fake.kind, url: fake.url, secret: fake.token,
      options: fake.options, discoverSchedule: '', syncSchedule: '', ...input,
    },
  });
  return data.createConnector.connector;
}

export async function updateConnector(t: DiscoverApp, id: string, input: Record<string, unknown>): Promise<any> {
  return (await t.ok(UPDATE_CONNECTOR, { i: { id, ...input } })).updateConnector.connector;
}

export async function operation(t: DiscoverApp, id: string): Promise<any> {
  return (await t.ok(OPERATION, { id })).node;
}

export async function waitFinished(t: DiscoverApp, operationId: string, timeoutMs?: number): Promise<any> {
  return waitFor(async () => {
    const op = await operation(t, operationId);
    return op.status === 'SUCCEEDED' || op.status === 'FAILED' ? op : null;
  }, `operation ${operationId} to finish`, timeoutMs);
}

/** Starts an operation through GraphQL and waits for the worker to finish it. */
export async function runOperation(t: DiscoverApp, connectorId: string, type: 'Discover' | 'Sync' = 'Discover'): Promise<any> {
  const data = await t.ok(type === 'Discover' ? RUN_DISCOVER : RUN_SYNC, { c: connectorId });
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
  const data = await t.ok(RECORDS, { id: connectorId });
  expect(data.node.records.totalCount).toBe(data.node.records.nodes.length);
  return data.node.records.nodes;
}

/** vendorKey → state, the shape most assertions want */
export async function states(t: DiscoverApp, connectorId: string): Promise<Record<string, string>> {
  return Object.fromEntries((await records(t, connectorId)).map((r) => [r.vendorKey, r.state]));
}

/** Maps every record of a connector to one new product (their findings then share one test); returns its id. */
export async function mapAllTo(t: DiscoverApp, connectorId: string, productName: string): Promise<string> {
  const productId = (await t.ok(CREATE_PRODUCT, { i: { name: productName } })).createProduct.product.id;
  for (const r of await records(t, connectorId)) await t.ok(MAP_RECORD, { i: { recordId: r.id, productId } });
  return productId;
}
