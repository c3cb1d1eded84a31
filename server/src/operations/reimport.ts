// Reimport: DefectDojo's re-upload of a scan into one Test (research/defectdojo.md §2b), done as
// one transaction of set-based statements. Incoming pages stream into staging tables by COPY in
// chunks; matching, creating, updating, reactivating and closing are then a fixed handful of
// statements, however many findings there are. A test without findings (the first import) skips
// all of that: reimport-first.ts creates the findings as they stream. A report the connector can
// tell is unchanged, onto findings no one changed, is not read at all (report-unchanged.ts). Because
// it is one transaction, a fetch that throws half-way, a crash or a kill -9 leaves the test exactly
// as it was, and a retry gives the uninterrupted result.
import type pg from 'pg';
import type { DedupeAlgorithm, HashField, NormalizedFinding } from '../connectors/kind.ts';
import { LOCKS } from '../locks.ts';
import { severityRank, type Severity } from '../severity.ts';
import { prepareFinding, type PreparedFinding } from './reimport-prepare.ts';
import { CREATE_STAGING, stageChunk } from './reimport-staging.ts';
import { applyMatched, closeAbsent, insertNew, matchedIds, planOutcomes } from './reimport-apply.ts';
import { CREATE_NEW, dropRepeats, insertChunk } from './reimport-first.ts';
import { findingsDigest, importFingerprint, recordUnchanged } from './report-unchanged.ts';
import type { Rejection } from './stats.ts';

export interface ReimportOptions {
  testId: number;
  dedupe: { algorithm: DedupeAlgorithm; hashFields: HashField[] };
  /** findings below it are not imported, and existing ones below it are closed like absent ones */
  minimumSeverity: Severity;
  /** a mitigated finding the tool reports again stays closed (with a note, once) */
  doNotReactivate: boolean;
  /** names the source in notes: "Mitigated by <scanType> re-upload." */
  scanType: string;
  operationId?: number | null;
  now?: Date;
  /** called once per page taken in, with the number of findings received so far */
  onProgress?: (findingsSoFar: number) => void | Promise<void>;
  /**
   * What the pages will hold, cheaply (ConnectorKind.reportFingerprint), or null when unknown. Asked
   * before reading: an unchanged report onto unchanged findings is recorded without reading it
   * (report-unchanged.ts). Asked again after reading: the fingerprint is stored only when the report
   * did not change while it was read, so it always names what this import saw.
   */
  reportFingerprint?: () => Promise<string | null>;
}

export interface ReimportResult {
  testImportId: number;
  newIds: number[];
  closedIds: number[];
  reactivatedIds: number[];
  untouchedIds: number[];
  updatedIds: number[];
  /** findings that could not be imported, by position in the report (0-based across pages) */
  rejected: Rejection[];
  /** findings below minimumSeverity, not imported */
  belowMinimum: number;
  /** later findings of the report that shared a dedupe key with an earlier one */
  collapsedDuplicates: number;
  /**
   * the report and the findings were as the last import left them, so the report was not read: its
   * outcome is that import's (the rejections are its first REJECTIONS_KEPT; belowMinimum and
   * collapsedDuplicates are not known, 0)
   */
  reportUnchanged: boolean;
}


/**
 * Rejections whose reasons the TestImport row keeps (it counts them all). Bad input is nearly always
 * one cause repeated, so 20 show it while the row stays small: 20 × (a 200-character service and an
 * ~100-character reason) is ~6 KB.
 */
export const REJECTIONS_KEPT = 20;

type Outcome = Pick<ReimportResult, 'newIds' | 'closedIds' | 'untouchedIds' | 'updatedIds' | 'reactivatedIds' | 'collapsedDuplicates'>;

/**
 * Rows per staging COPY, whatever the tool's page size: pages are gathered up to it (the SARIF
 * connector's 500-finding pages cost 200 statements per 100k otherwise, 3.0 s of staging against
 * 2.7 s in 20, measured when chunks were INSERT parameters) and split down to it (a single page of
 * 100k would be one 65 MB string).
 * 1,000 to 10,000 timed within noise of each other on 100k findings (engine alone: first import
 * 4.1–4.7 s, identical re-sync 1.5–1.6 s) while peak RSS rose 164 → 214 MB; 5,000 sits between.
 */
export const STAGE_CHUNK_ROWS = 5_000;

export async function reimport(pool: pg.Pool, opts: ReimportOptions, pages: AsyncIterable<NormalizedFinding[]>): Promise<ReimportResult> {
  const now = opts.now ?? new Date();
  const minimumRank = severityRank(opts.minimumSeverity);
  // an unknown word would rank every finding "below the minimum" and close the whole test
  if (minimumRank < 0) throw new Error(`unknown minimum severity ${JSON.stringify(opts.minimumSeverity)}`);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCKS.reimport, opts.testId]);
      // the plan's hashes and sorts over 100k staged findings need ~50 MB; at the default 4 MB they
      // spill to disk (EXPLAIN ANALYZE: "external merge Disk: 51224kB" creating 100k findings)
      await client.query(`SET LOCAL work_mem = '64MB'`);
      // KEY SHARE keeps the test from being deleted under us (a delete waits for our commit)
      const test = await client.query<{ empty: boolean }>(
        'SELECT NOT EXISTS (SELECT 1 FROM "Finding" f WHERE f."testId" = t.id) AS empty FROM "Test" t WHERE t.id = $1 FOR KEY SHARE OF t', [opts.testId]);
      if (test.rowCount === 0) throw new Error(`test ${opts.testId} does not exist`);
      const fingerprint = await fingerprintOf(opts);
      const unchanged = fingerprint === null ? null : await recordUnchanged(client, opts.testId, fingerprint, opts.operationId ?? null, now);
      if (unchanged) {
        await client.query('COMMIT');
        return { testImportId: unchanged.id, newIds: [], closedIds: [], reactivatedIds: [], untouchedIds: unchanged.untouchedIds, updatedIds: [],
          rejected: unchanged.rejections, belowMinimum: 0, collapsedDuplicates: 0, reportUnchanged: true };
      }
      // a test without findings (a first import) takes the direct path of reimport-first.ts
      const first = test.rows[0]!.empty;
      if (first) await client.query(CREATE_NEW);
      else for (const ddl of CREATE_STAGING) await client.query(ddl);

      const report = await streamReport(client, opts, now, minimumRank, first, pages);
      let outcome: Outcome;
      if (first) {
        const repeats = new Set(await dropRepeats(client, opts.testId, opts.dedupe.algorithm));
        const newIds = repeats.size === 0 ? report.createdIds : report.createdIds.filter((id) => !repeats.has(id));
        outcome = { newIds, closedIds: [], untouchedIds: [], updatedIds: [], reactivatedIds: [], collapsedDuplicates: repeats.size };
      }
      else {
        const planned = await planOutcomes(client, opts.doNotReactivate);
        await applyMatched(client, now, opts.scanType);
        // closing runs before creating, so "absent" means absent from the fetch, not "just created"
        const closedIds = await closeAbsent(client, opts.testId, now, opts.scanType);
        const newIds = await insertNew(client, opts.testId, now);
        outcome = { newIds, closedIds, ...await matchedIds(client), collapsedDuplicates: report.staged - planned };
      }
      // stored only when the report read was the one fingerprinted
      const stored = fingerprint !== null && fingerprint === await fingerprintOf(opts)
        ? { fingerprint, findings: await findingsDigest(client, opts.testId) } : null;
      const testImportId = await recordImport(client, opts, now, outcome, report.rejected, stored);
      await client.query('COMMIT');
      return { testImportId, ...outcome, rejected: report.rejected, belowMinimum: report.belowMinimum, reportUnchanged: false };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw e;
    }
  } finally {
    // a connection whose ROLLBACK failed is in an unknown state: discard it rather than reuse it
    client.release(broken);
  }
}

/**
 * Reads the report page by page: each finding is prepared (or rejected with its reason), dropped
 * below the minimum severity, and the rest staged (a re-sync) or created straight away (a first
 * import) in chunks of STAGE_CHUNK_ROWS.
 */
async function streamReport(client: pg.PoolClient, opts: ReimportOptions, now: Date, minimumRank: number, first: boolean, pages: AsyncIterable<NormalizedFinding[]>) {
  const createdIds: number[] = [];
  const rejected: ReimportResult['rejected'] = [];
  let received = 0;
  let belowMinimum = 0;
  let staged = 0;
  let rows: PreparedFinding[] = [];
  let ords: number[] = [];
  // One chunk is in flight while the next is prepared: PostgreSQL stages (or creates) chunk k
  // while this process sanitizes and hashes chunk k+1, two cores instead of one taking turns.
  let inflight: Promise<void> | null = null;
  const flush = async () => {
    const batch = rows;
    const at = ords;
    rows = [];
    ords = [];
    staged += batch.length;
    if (inflight) await inflight;
    inflight = first
      ? insertChunk(client, opts.testId, now, batch).then((ids) => { for (const id of ids) createdIds.push(id); })
      : stageChunk(client, opts.testId, opts.dedupe.algorithm, batch, at);
    // awaited at the next flush or after the last page; until then a failure must not be
    // reported as an unhandled rejection
    inflight.catch(() => {});
  };
  for await (const page of pages) {
    const list: unknown[] = Array.isArray(page) ? page : [];
    for (let i = 0; i < list.length; i++) {
      const p = prepareFinding(list[i], opts.dedupe.hashFields);
      if (!p.ok) rejected.push({ index: received + i, reason: p.reason, service: p.service });
      else if (severityRank(p.finding.severity) > minimumRank) belowMinimum++;
      else {
        rows.push(p.finding);
        ords.push(received + i);
        if (rows.length === STAGE_CHUNK_ROWS) await flush();
      }
    }
    received += list.length;
    await opts.onProgress?.(received);
  }
  if (rows.length > 0) await flush();
  if (inflight) await inflight;
  return { createdIds, rejected, belowMinimum, staged };
}

async function fingerprintOf(opts: ReimportOptions): Promise<string | null> {
  const report = await opts.reportFingerprint?.() ?? null;
  return report === null ? null : importFingerprint(report, opts);
}

/**
 * The TestImport row: each outcome's finding ids, the first rejections with their count, and what
 * a later sync needs to tell that it would change nothing (report-unchanged.ts).
 */
async function recordImport(client: pg.PoolClient, opts: ReimportOptions, now: Date, outcome: Outcome, rejected: ReimportResult['rejected'],
  stored: { fingerprint: string; findings: string } | null): Promise<number> {
  const imp = await client.query<{ id: number }>(
    `INSERT INTO "TestImport" ("testId", "operationId", "createdAt", "newIds", "closedIds", "reactivatedIds", "untouchedIds", "updatedIds",
                               "rejectedCount", rejections, "reportFingerprint", "findingsDigest")
     VALUES ($1, $2, $3::timestamp, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12) RETURNING id`,
    [opts.testId, opts.operationId ?? null, now.toISOString(), outcome.newIds, outcome.closedIds, outcome.reactivatedIds, outcome.untouchedIds,
      outcome.updatedIds, rejected.length, JSON.stringify(rejected.slice(0, REJECTIONS_KEPT)), stored?.fingerprint ?? null, stored?.findings ?? null]);
  return imp.rows[0]!.id;
}
