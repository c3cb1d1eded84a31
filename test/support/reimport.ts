// The reimport tests' set-up: a fresh database per file, the options of a plain SARIF reimport, a
// product with its "Global Connectors" engagement and tests, and small finding factories.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPool } from '@tributary/server/db/postgres.ts';
import type { NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import type { ReimportOptions } from '@tributary/server/operations/reimport.ts';
import type { Severity } from '@tributary/server/severity.ts';
import { createTestDatabase } from './db.ts';

export interface ReimportDb { pool: pg.Pool; drop(): Promise<void> }

/** This file's database: there from beforeAll, dropped in afterAll. */
export function reimportDb(): ReimportDb {
  const handle = {} as ReimportDb;
  beforeAll(async () => {
    const db = await createTestDatabase();
    const pool = createPool(db.url, 4);
    Object.assign(handle, { pool, async drop() { await pool.end(); await db.drop(); } });
  });
  afterAll(async () => { await handle.drop?.(); });
  return handle;
}

/** A SARIF reimport into `testId` matching by unique id or hash (title, file, line), keeping every severity. */
export function reimportOptions(testId: number, over: Partial<ReimportOptions> = {}): ReimportOptions {
  return {
    testId, dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'file_path', 'line'] },
    minimumSeverity: 'INFO', doNotReactivate: false, scanType: 'SARIF', ...over,
  };
}

let products = 0;

/** A product, its "Global Connectors" engagement and `count` tests; returns the test ids. */
export async function createTests(pool: pg.Pool, count = 1): Promise<number[]> {
  const p = await pool.query<{ id: number }>(
    `INSERT INTO "Product" (name, "updatedAt") VALUES ($1, now()) RETURNING id`, [`product ${++products} ${Math.random()}`]);
  const e = await pool.query<{ id: number }>(
    `INSERT INTO "Engagement" ("productId", name, "updatedAt") VALUES ($1, 'Global Connectors', now()) RETURNING id`, [p.rows[0]!.id]);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = await pool.query<{ id: number }>(
      `INSERT INTO "Test" ("engagementId", title, "updatedAt") VALUES ($1, $2, now()) RETURNING id`, [e.rows[0]!.id, `test ${i}`]);
    ids.push(t.rows[0]!.id);
  }
  return ids;
}

/** A finding with every dedupe key derived from n, so finding(n) always matches finding(n). */
export function finding(n: number, over: Partial<NormalizedFinding> = {}): NormalizedFinding {
  return {
    title: `Finding ${n}`,
    severity: 'HIGH' as Severity,
    description: `Description of finding ${n}`,
    uniqueIdFromTool: `uid-${n}`,
    filePath: `src/file${n % 7}.ts`,
    line: n,
    cwe: 79,
    ...over,
  };
}

export function findings(from: number, to: number, over: Partial<NormalizedFinding> = {}): NormalizedFinding[] {
  const out: NormalizedFinding[] = [];
  for (let n = from; n < to; n++) out.push(finding(n, over));
  return out;
}

export async function* pagesOf(...pages: NormalizedFinding[][]): AsyncIterable<NormalizedFinding[]> {
  for (const p of pages) yield p;
}

export interface FindingRow {
  id: number; testId: number; title: string; severity: Severity; active: boolean; isMitigated: boolean; mitigatedAt: Date | null;
  falsePositive: boolean; riskAccepted: boolean; outOfScope: boolean; uniqueIdFromTool: string | null; hashCode: string;
  lastStatusUpdate: Date | null; slaStartDate: Date | null; slaExpirationDate: Date | null; date: Date; description: string;
  componentName: string | null; componentVersion: string | null; fixAvailable: boolean | null; fixVersion: string | null;
  vulnerabilityIds: string[]; line: number | null; cwe: number | null; filePath: string | null;
}

export async function rows(pool: pg.Pool, testId: number): Promise<FindingRow[]> {
  const r = await pool.query<FindingRow>(`SELECT * FROM "Finding" WHERE "testId" = $1 ORDER BY id`, [testId]);
  return r.rows;
}

export async function notes(pool: pg.Pool, findingId: number): Promise<string[]> {
  const r = await pool.query<{ text: string }>(`SELECT text FROM "FindingNote" WHERE "findingId" = $1 ORDER BY id`, [findingId]);
  return r.rows.map((x) => x.text);
}

/** Everything about a test's findings, notes and imports, to compare before/after byte for byte. */
export async function snapshot(pool: pg.Pool): Promise<string> {
  const f = await pool.query(`SELECT * FROM "Finding" ORDER BY id`);
  const n = await pool.query(`SELECT * FROM "FindingNote" ORDER BY id`);
  const i = await pool.query(`SELECT * FROM "TestImport" ORDER BY id`);
  return JSON.stringify([f.rows, n.rows, i.rows]);
}

/**
 * The first three words of every statement `run` sends through pg (the reimport's own client): what
 * a reimport costs in round trips. The driver is restored afterwards, even when `run` throws.
 */
export async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const originalQuery = pg.Client.prototype.query;
  const sent: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text: string };
    sent.push((typeof q === 'string' ? q : q.text).trim().split(/\s+/).slice(0, 3).join(' '));
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try { await run(); } finally { pg.Client.prototype.query = originalQuery; }
  return sent;
}
